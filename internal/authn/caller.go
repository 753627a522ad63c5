package authn

import (
	"context"
	"crypto/ed25519"

	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// Caller is who made an authenticated request.
type Caller struct {
	// Principal is tokens.PrincipalDaemon or tokens.PrincipalUser.
	Principal tokens.Principal
	// TenantID is the token's tid, the key of every authorization check.
	TenantID string
	// Subject is the token's sub: a daemon's public key in its wire form
	// (tokens.EncodeKey), or a user's tenant id.
	Subject string
	// NetworkID is the token's net: set only for network-scoped daemons.
	NetworkID string
	// PublicKey is a daemon's key, whose proof of possession was checked;
	// nil for users.
	PublicKey ed25519.PublicKey
}

// IsDaemon reports whether the caller is a daemon.
func (c Caller) IsDaemon() bool { return c.Principal == tokens.PrincipalDaemon }

// IsUser reports whether the caller is a user.
func (c Caller) IsUser() bool { return c.Principal == tokens.PrincipalUser }

type callerKey struct{}

// NewContext returns a copy of ctx that carries c. Require does this for
// every request it lets through; handler tests may use it directly.
func NewContext(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// FromContext returns the Caller that Require authenticated, and false
// when the request did not go through Require.
func FromContext(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
