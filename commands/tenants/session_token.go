package tenants

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// SessionToken names a browser session: its tenant and the random token
// whose hash the session was started with. It travels only inside the
// sealed cookie.
type SessionToken struct {
	TenantID ids.TenantID
	Token    string
}

// String is the cookie's plaintext form.
func (t SessionToken) String() string { return t.TenantID.String() + "." + t.Token }

// ParseSessionToken reads the cookie's plaintext form.
func ParseSessionToken(s string) (SessionToken, error) {
	id, tok, ok := strings.Cut(s, ".")
	tid, err := ids.Parse[ids.TenantID](id)
	if !ok || err != nil || len(tok) != 64 {
		return SessionToken{}, errors.New("malformed session token")
	}
	return SessionToken{TenantID: tid, Token: tok}, nil
}

// newSessionToken is 32 random bytes, hex.
func newSessionToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// tokenHash is what the log holds of a session token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
