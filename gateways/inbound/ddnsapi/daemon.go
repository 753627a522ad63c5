package ddnsapi

import (
	"errors"
	"net/http"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

const msgInvalidToken = "invalid token"

// health is GET /v1/health: 200 with an empty body.
func health(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

// daemon is the daemon group (contract §1.6): a daemon token for the ddns
// audience with proof of possession. Only a network-scoped token has that
// audience (a tenant-scoped one is told so before, see
// requireNetworkScope). The handler gets the caller in the commands'
// terms; the network it acts on is the token's, and nothing else; whether
// the daemon may act for it is the command's decision.
func (a *api) daemon(h func(http.ResponseWriter, *http.Request, ddns.Daemon)) http.Handler {
	return a.requireNetworkScope(a.auth.Require(tokens.PrincipalDaemon)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := authn.FromContext(r.Context())
		if !ok || !c.IsDaemon() {
			a.fail(w, r, errors.New("daemon route without a daemon caller"))
			return
		}
		caller, ok := daemonCaller(c)
		if !ok { // tenants mints tokens for its own ids and checked keys only
			endpoint.WriteError(w, http.StatusUnauthorized, msgInvalidToken)
			return
		}
		h(w, r, caller)
	})))
}

// daemonCaller parses a network-scoped daemon token's claims: its tenant,
// its network and its key, which authn has checked the request's proof of
// possession with. Claims without a network are refused like any other
// claims tenants does not mint: a tenant-scoped token has no ddns
// audience, so requireNetworkScope has answered it already.
func daemonCaller(c authn.Caller) (ddns.Daemon, bool) {
	key, err := ids.DaemonKeyOf(c.PublicKey)
	if err != nil {
		return ddns.Daemon{}, false
	}
	tenant, err := ids.Parse[ids.TenantID](c.TenantID)
	if err != nil {
		return ddns.Daemon{}, false
	}
	network, err := ids.Parse[ids.NetworkID](c.NetworkID)
	if err != nil {
		return ddns.Daemon{}, false
	}
	return ddns.Daemon{TenantID: tenant, NetworkID: network, Key: key}, true
}

type reportIPRequest struct {
	IP *string `json:"ip"`
}

// reportIP is PUT /v1/ip.
func (a *api) reportIP(w http.ResponseWriter, r *http.Request, caller ddns.Daemon) {
	var req reportIPRequest
	if !endpoint.Decode(w, r, &req) || !endpoint.Require(w, "ip", req.IP != nil) {
		return
	}
	if err := a.cmd.ReportIP(r.Context(), ddns.ReportIP{Daemon: caller, IP: *req.IP}); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type setChallengeRequest struct {
	Values *[]string `json:"values"`
}

// setChallenge is PUT /v1/acme-challenge.
func (a *api) setChallenge(w http.ResponseWriter, r *http.Request, caller ddns.Daemon) {
	var req setChallengeRequest
	if !endpoint.Decode(w, r, &req) || !endpoint.Require(w, "values", req.Values != nil) {
		return
	}
	if err := a.cmd.SetChallenge(r.Context(), ddns.SetChallenge{Daemon: caller, Values: *req.Values}); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// clearChallenge is DELETE /v1/acme-challenge. Its body, if any, is
// ignored.
func (a *api) clearChallenge(w http.ResponseWriter, r *http.Request, caller ddns.Daemon) {
	if err := a.cmd.ClearChallenge(r.Context(), caller); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
