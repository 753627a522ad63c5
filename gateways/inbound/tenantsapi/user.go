package tenantsapi

import (
	"net/http"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/sessioncookie"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// The user group (contract §1.4): a person's user JWT. Reads come from the
// read model after it has caught up with the log (Reader.Sync), so a
// person sees their own writes.

// meView is MeView.
type meView struct {
	TenantID     string                    `json:"tenant_id"`
	Email        string                    `json:"email"`
	Subscription *tenancy.SubscriptionView `json:"subscription"`
}

// me is GET /v1/me.
func (a *api) me(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	if err := a.read.Sync(r.Context()); err != nil {
		a.fail(w, r, err, "")
		return
	}
	t, err := a.read.Tenant(r.Context(), tenant)
	if err != nil {
		a.fail(w, r, err, msgTenantNotFound)
		return
	}
	if t.DeregisteredAt != nil {
		// Deregistered: the account is gone for its owner, though its
		// row stays until the sweep.
		endpoint.WriteError(w, http.StatusNotFound, msgTenantNotFound)
		return
	}
	email, err := a.cmd.OpenEmail(r.Context(), tenants.OpenEmail{Sealed: personal.Sealed(t.EmailSealed)})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, meView{TenantID: t.ID, Email: email.String(), Subscription: t.Subscription})
}

// signOutEverywhere is DELETE /v1/me/sessions: every session of the
// account ends, this browser's too.
func (a *api) signOutEverywhere(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	if err := a.cmd.RevokeSessions(r.Context(), tenants.RevokeSessions{TenantID: tenant}); err != nil {
		a.fail(w, r, err, "")
		return
	}
	http.SetCookie(w, sessioncookie.Clear())
	w.WriteHeader(http.StatusNoContent)
}

// ownTenant wraps a /v1/tenants/{id}/… handler: {id} must be the caller's
// tenant. An {id} that is not even an id is someone else's all the same.
func ownTenant(h func(http.ResponseWriter, *http.Request, ids.TenantID)) func(http.ResponseWriter, *http.Request, ids.TenantID) {
	return func(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
		if id, err := ids.Parse[ids.TenantID](r.PathValue("id")); err != nil || id != tenant {
			endpoint.WriteError(w, http.StatusForbidden, msgNotYours)
			return
		}
		h(w, r, tenant)
	}
}

// issueDaemonCode is POST /v1/tenants/{id}/codes.
func (a *api) issueDaemonCode(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	c, err := a.cmd.IssueDaemonCode(r.Context(), tenants.IssueDaemonCode{TenantID: tenant})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, echoed(c))
}

// listNetworks is GET /v1/tenants/{id}/networks.
func (a *api) listNetworks(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	if err := a.read.Sync(r.Context()); err != nil {
		a.fail(w, r, err, "")
		return
	}
	ns, err := a.read.Networks(r.Context(), tenant)
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, nonNil(ns))
}

// listDaemons is GET /v1/tenants/{id}/daemons.
func (a *api) listDaemons(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	if err := a.read.Sync(r.Context()); err != nil {
		a.fail(w, r, err, "")
		return
	}
	ds, err := a.read.Daemons(r.Context(), tenant)
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, nonNil(ds))
}

// networkDaemons is GET /v1/networks/{id}/daemons: a network of another
// tenant is as missing as one that does not exist.
func (a *api) networkDaemons(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	if err := a.read.Sync(r.Context()); err != nil {
		a.fail(w, r, err, "")
		return
	}
	network, err := ids.Parse[ids.NetworkID](r.PathValue("id"))
	if err != nil {
		endpoint.WriteError(w, http.StatusNotFound, msgNetworkNotFound)
		return
	}
	ds, err := a.read.NetworkDaemons(r.Context(), tenant, network)
	if err != nil {
		a.fail(w, r, err, msgNetworkNotFound)
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, nonNil(ds))
}

// deleteNetwork is DELETE /v1/tenants/{id}/networks/{slug}.
func (a *api) deleteNetwork(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	if err := a.cmd.DeleteNetwork(r.Context(), tenants.DeleteNetwork{TenantID: tenant, Slug: r.PathValue("slug")}); err != nil {
		a.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// deregister is DELETE /v1/tenants/{id}.
func (a *api) deregister(w http.ResponseWriter, r *http.Request, tenant ids.TenantID) {
	if err := a.cmd.Deregister(r.Context(), tenants.Deregister{TenantID: tenant}); err != nil {
		a.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// nonNil makes an empty list marshal as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
