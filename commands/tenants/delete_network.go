package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// DeleteNetwork asks to delete the tenant's network named Slug, as
// submitted (DELETE /v1/tenants/{id}/networks/{slug}).
type DeleteNetwork struct {
	TenantID ids.TenantID
	Slug     string
}

// DeleteNetwork moves the network to deprovisioning (reason user); the DNS
// projector removes its records and then marks it deprovisioned. A network
// of another tenant is not found, like a missing one; deleting a network
// already on its way out is no error.
func (a *App) DeleteNetwork(ctx context.Context, cmd DeleteNetwork) error {
	_, networkID, err := a.networkBySlug(ctx, cmd.Slug)
	if err != nil {
		return err
	}
	_, err = a.repos.networks.Execute(ctx, networkID.String(), userMeta(cmd.TenantID), func(n network.State) ([]events.Payload, error) {
		if err := ownNetwork(n, cmd.TenantID); err != nil {
			return nil, err
		}
		return network.Deprovision{Reason: network.ReasonUser}.Decide(n)
	})
	return asRefusal(err)
}
