package authn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// MsgNeedNetwork is the contract's answer (403) to a tenant-scoped daemon
// token at a service that acts on networks (ddns, tunneller).
const MsgNeedNetwork = "a network-scoped token is required"

// TenantScopedDaemon tells whether r carries a genuine, unexpired daemon
// token without a network: one that tenants signed for an enrolled daemon
// that has not registered its network yet. Such a token is addressed to
// tenants only, so the verifier of ddns or the tunneller refuses it as any
// token for another service (401 "invalid token"); the contract answers it
// 403 MsgNeedNetwork instead, which tells the daemon what to do. tenants
// verifies tokens addressed to the tenants service, with the same keys.
// Tokens whose unverified claims say otherwise (every network-scoped
// daemon's) are not verified twice.
func TenantScopedDaemon(ctx context.Context, r *http.Request, tenants *tokens.Verifier, now time.Time) bool {
	auth := r.Header.Values("Authorization")
	if len(auth) != 1 || !strings.HasPrefix(auth[0], "Bearer ") {
		return false
	}
	raw := strings.TrimPrefix(auth[0], "Bearer ")
	if len(raw) > tokens.MaxTokenLen || !looksTenantScoped(raw) {
		return false
	}
	c, err := tenants.Verify(ctx, raw, now)
	return err == nil && c.Principal == tokens.PrincipalDaemon && !c.NetworkScoped()
}

// looksTenantScoped reads a token's payload without verifying it: a
// daemon's, without net.
func looksTenantScoped(raw string) bool {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var c struct {
		Principal tokens.Principal `json:"pt"`
		Network   string           `json:"net"`
	}
	return json.Unmarshal(payload, &c) == nil && c.Principal == tokens.PrincipalDaemon && c.Network == ""
}
