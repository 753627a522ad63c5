package tenantsapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// The daemon_or_user and daemon groups (contract §1.4).

type availability struct {
	Available bool `json:"available"`
}

// availability is GET /v1/availability?slug=, for daemons and users.
func (a *api) availability(w http.ResponseWriter, r *http.Request) {
	ok, err := a.cmd.Availability(r.Context(), r.URL.Query().Get("slug"))
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, availability{Available: ok})
}

type registerNetworkRequest struct {
	Slug        *string `json:"slug"`
	DisplayName *string `json:"display_name"` // optional; null is none
	Region      *string `json:"region"`
}

// registerNetwork is POST /v1/networks: the calling daemon registers a
// network and is bound to it. The answer is the network as the read model
// shows it once it has caught up with the registration.
func (a *api) registerNetwork(w http.ResponseWriter, r *http.Request, caller tenants.Daemon) {
	var req registerNetworkRequest
	if !endpoint.Decode(w, r, &req) ||
		!endpoint.Require(w, "slug", req.Slug != nil) || !endpoint.Require(w, "region", req.Region != nil) {
		return
	}
	id, err := a.cmd.RegisterNetwork(r.Context(), caller, *req.Slug, req.DisplayName, *req.Region)
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	view, err := a.readNetwork(r, caller.TenantID, id)
	if errors.Is(err, tenancy.ErrBehind) || errors.Is(err, tenancy.ErrNotFound) {
		// The network is registered: answering 503 would make the daemon
		// retry into a 409. Answer what was just decided instead.
		a.log.WarnContext(r.Context(), "network registered but not yet in the read model; answering from the request",
			"tenant", caller.TenantID.String(), "network", id.String(), "err", err)
		now := a.now().UTC()
		view = tenancy.NetworkView{
			ID: id.String(), TenantID: caller.TenantID.String(), Slug: *req.Slug, DisplayName: req.DisplayName,
			Region: strings.TrimSpace(*req.Region), ProvisioningState: "provisioning", CreatedAt: now, UpdatedAt: now,
		}
	} else if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, view)
}

func (a *api) readNetwork(r *http.Request, tenantID ids.TenantID, networkID ids.NetworkID) (tenancy.NetworkView, error) {
	if err := a.read.Sync(r.Context()); err != nil {
		return tenancy.NetworkView{}, err
	}
	return a.read.Network(r.Context(), tenantID, networkID)
}

// removeSelf is DELETE /v1/networks/{id}/daemons/self: it needs a token
// scoped to network {id}.
func (a *api) removeSelf(w http.ResponseWriter, r *http.Request, caller tenants.Daemon) {
	network, err := ids.Parse[ids.NetworkID](r.PathValue("id"))
	if err != nil || caller.NetworkID == "" || caller.NetworkID != network {
		endpoint.WriteError(w, http.StatusForbidden, msgNeedNetwork)
		return
	}
	if err := a.cmd.RemoveSelf(r.Context(), caller, network); err != nil {
		a.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
