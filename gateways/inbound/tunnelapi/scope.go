package tunnelapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// A tenant-scoped daemon token (an enrolled daemon without a network) is
// addressed to tenants only, so the tunneller's verifier refuses it as it
// would any token for another service: 401 "invalid token". The contract
// answers it 403 "a network-scoped token is required" (§1.7), which tells
// the daemon what to do. requireNetworkScope gives that answer, and only
// for a token that tenants did sign for a daemon: anything else goes on to
// authn.Require and its 401. (gateways/inbound/ddnsapi does the same for
// ddns; adapters share no code, so each has its copy.)

// tenantScoped tells whether the request carries a genuine, unexpired
// daemon token without a network. Tokens whose unverified claims say
// otherwise (every token of a network-scoped daemon) are not verified
// twice.
func (a *API) tenantScoped(ctx context.Context, r *http.Request) bool {
	auth := r.Header.Values("Authorization")
	if len(auth) != 1 || !strings.HasPrefix(auth[0], "Bearer ") {
		return false
	}
	raw := strings.TrimPrefix(auth[0], "Bearer ")
	if len(raw) > tokens.MaxTokenLen || !looksTenantScoped(raw) {
		return false
	}
	c, err := a.tenantsTokens.Verify(ctx, raw, time.Now())
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

// requireNetworkScope answers 403 to a tenant-scoped daemon token before
// authentication.
func (a *API) requireNetworkScope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.tenantScoped(r.Context(), r) {
			a.refuse(w, r, http.StatusForbidden, MsgNeedNetwork, "tenant_scoped")
			return
		}
		next.ServeHTTP(w, r)
	})
}
