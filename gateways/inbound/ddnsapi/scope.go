package ddnsapi

import (
	"net/http"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
)

// A tenant-scoped daemon token (an enrolled daemon without a network) is
// addressed to tenants only, so the ddns verifier refuses it as it would
// any token for another service: 401 "invalid token". The contract answers
// it 403 "a network-scoped token is required", which tells the daemon what
// to do. requireNetworkScope gives that answer, and only for a token that
// tenants did sign for a daemon: anything else goes on to authn.Require
// and its 401.
//
// This is the one place that checks a token's scope. It cannot be the
// commands': such a token never authenticates for ddns, so no command
// ever sees its caller, and the answer comes before the proof of
// possession and the body, as for any other token ddns does not take.
// Whether the token's network may be acted on (it exists, is the tenant's,
// is served here, has the daemon bound) is the commands' decision
// (commands/ddns, daemon.go).

// requireNetworkScope answers 403 to a tenant-scoped daemon token before
// authentication (authn.TenantScopedDaemon).
func (a *api) requireNetworkScope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if authn.TenantScopedDaemon(r.Context(), r, a.tenantsTokens, time.Now()) {
			endpoint.WriteError(w, http.StatusForbidden, authn.MsgNeedNetwork)
			return
		}
		next.ServeHTTP(w, r)
	})
}
