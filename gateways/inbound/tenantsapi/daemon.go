package tenantsapi

import (
	"errors"
	"net/http"

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
	ok, err := a.cmd.CheckAvailability(r.Context(), tenants.CheckAvailability{Slug: r.URL.Query().Get("slug")})
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
// shows it once it has caught up with the registration, or else as the
// command decided it.
func (a *api) registerNetwork(w http.ResponseWriter, r *http.Request, caller tenants.Daemon) {
	var req registerNetworkRequest
	if !endpoint.Decode(w, r, &req) ||
		!endpoint.Require(w, "slug", req.Slug != nil) || !endpoint.Require(w, "region", req.Region != nil) {
		return
	}
	n, err := a.cmd.RegisterNetwork(r.Context(), tenants.RegisterNetwork{
		Caller: caller, Slug: *req.Slug, DisplayName: req.DisplayName, Region: *req.Region,
	})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	view, err := a.readNetwork(r, n)
	if errors.Is(err, tenancy.ErrBehind) || errors.Is(err, tenancy.ErrNotFound) {
		// The network is registered: answering 503 would make the daemon
		// retry into a 409. Answer what was just decided instead.
		a.log.WarnContext(r.Context(), "network registered but not yet in the read model; answering from the command's decision",
			"tenant", n.TenantID.String(), "network", n.ID.String(), "err", err)
		view = decidedView(n)
	} else if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, view)
}

// readNetwork waits until the read model has applied the registration n,
// and reads the network from it.
func (a *api) readNetwork(r *http.Request, n tenants.RegisteredNetwork) (tenancy.NetworkView, error) {
	if err := a.read.SyncTo(r.Context(), n.Seq); err != nil {
		return tenancy.NetworkView{}, err
	}
	return a.read.Network(r.Context(), n.TenantID, n.ID)
}

// decidedView is the network as RegisterNetwork decided it, in the read
// model's shape.
func decidedView(n tenants.RegisteredNetwork) tenancy.NetworkView {
	var name *string
	if n.DisplayName != "" {
		name = &n.DisplayName
	}
	at := n.Registered.UTC()
	return tenancy.NetworkView{
		ID: n.ID.String(), TenantID: n.TenantID.String(), Slug: n.Slug.String(), DisplayName: name,
		Region: string(n.Region), ProvisioningState: string(n.Status), CreatedAt: at, UpdatedAt: at,
	}
}

// removeSelf is DELETE /v1/networks/{id}/daemons/self. Whether the
// caller's token is scoped to network {id} is the command's rule; an {id}
// that is not an id names no network, and is passed as the zero id, to
// which no token is scoped.
func (a *api) removeSelf(w http.ResponseWriter, r *http.Request, caller tenants.Daemon) {
	network, err := ids.Parse[ids.NetworkID](r.PathValue("id"))
	if err != nil {
		network = ""
	}
	if err := a.cmd.RemoveSelf(r.Context(), tenants.RemoveSelf{Caller: caller, NetworkID: network}); err != nil {
		a.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
