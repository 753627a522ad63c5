package tunnelapi

import (
	"net/http"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/authn"
)

// A tenant-scoped daemon token (an enrolled daemon without a network) is
// addressed to tenants only, so the tunneller's verifier refuses it as it
// would any token for another service: 401 "invalid token". The contract
// answers it 403 "a network-scoped token is required" (§1.7), which tells
// the daemon what to do. requireNetworkScope gives that answer, and only
// for a token that tenants did sign for a daemon: anything else goes on to
// authn.Require and its 401 (authn.TenantScopedDaemon, which
// gateways/inbound/ddnsapi uses too).

// requireNetworkScope answers 403 to a tenant-scoped daemon token before
// authentication.
func (a *API) requireNetworkScope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if authn.TenantScopedDaemon(r.Context(), r, a.tenantsTokens, time.Now()) {
			a.refuse(w, r, http.StatusForbidden, MsgNeedNetwork, "tenant_scoped")
			return
		}
		next.ServeHTTP(w, r)
	})
}
