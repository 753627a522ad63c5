package tenantsapi

import (
	"errors"
	"net/http"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// Route groups of contract §1.4: authn.Require authenticates the caller
// (401, 403 for a principal the group does not take); these wrappers hand
// the handler the caller in the commands' terms.

const (
	msgInvalidToken = "invalid token"
	msgUnavailable  = "service temporarily unavailable"
)

// daemonOrUser is the daemon_or_user group.
func (a *api) daemonOrUser(h http.HandlerFunc) http.Handler {
	return a.auth.Require(tokens.PrincipalDaemon, tokens.PrincipalUser)(h)
}

// daemon is the daemon group: a daemon token with proof of possession.
func (a *api) daemon(h func(http.ResponseWriter, *http.Request, tenants.Daemon)) http.Handler {
	return a.auth.Require(tokens.PrincipalDaemon)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := authn.FromContext(r.Context())
		if !ok || !c.IsDaemon() {
			a.fail(w, r, errors.New("daemon route without a daemon caller"), "")
			return
		}
		caller, ok := daemonCaller(c)
		if !ok { // tenants mints tokens for its own ids and checked keys only
			endpoint.WriteError(w, http.StatusUnauthorized, msgInvalidToken)
			return
		}
		h(w, r, caller)
	}))
}

// user is the user group: a user token.
func (a *api) user(h func(http.ResponseWriter, *http.Request, ids.TenantID)) http.Handler {
	return a.auth.Require(tokens.PrincipalUser)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := authn.FromContext(r.Context())
		if !ok || !c.IsUser() {
			a.fail(w, r, errors.New("user route without a user caller"), "")
			return
		}
		tenant, err := ids.Parse[ids.TenantID](c.TenantID)
		if err != nil { // tenants mints tokens for its own ids only
			endpoint.WriteError(w, http.StatusUnauthorized, msgInvalidToken)
			return
		}
		h(w, r, tenant)
	}))
}

// daemonCaller parses a daemon token's claims: its tenant, its network
// (none for a tenant-scoped token) and its key, which authn has checked
// the request's proof of possession with.
func daemonCaller(c authn.Caller) (tenants.Daemon, bool) {
	key, err := ids.DaemonKeyOf(c.PublicKey)
	if err != nil {
		return tenants.Daemon{}, false
	}
	tenant, err := ids.Parse[ids.TenantID](c.TenantID)
	if err != nil {
		return tenants.Daemon{}, false
	}
	var network ids.NetworkID
	if c.NetworkID != "" {
		if network, err = ids.Parse[ids.NetworkID](c.NetworkID); err != nil {
			return tenants.Daemon{}, false
		}
	}
	return tenants.Daemon{TenantID: tenant, NetworkID: network, Key: key}, true
}

// proveKey checks the proof of possession of POST /v1/token: the request
// is signed with key, from its body. On a refusal it has answered and
// returns false.
func (a *api) proveKey(w http.ResponseWriter, r *http.Request, key ids.DaemonKey, body []byte) bool {
	err := a.auth.VerifyTokenRequest(r.Context(), r, key.PublicKey(), body)
	switch {
	case err == nil:
		return true
	case errors.Is(err, pop.ErrTimestamp), errors.Is(err, pop.ErrSignature), errors.Is(err, pop.ErrReplayed):
		endpoint.WriteError(w, http.StatusUnauthorized, err.Error())
	default:
		a.log.WarnContext(r.Context(), "token request: replay cache unavailable", "err", err)
		endpoint.WriteError(w, http.StatusServiceUnavailable, msgUnavailable)
	}
	return false
}
