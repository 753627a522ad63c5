package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// DeprovisionNetworks asks to deprovision every network of tenant
// TenantID for Reason, because of Cause (a closed subscription, or a
// deregistration through CloseDeregistered).
type DeprovisionNetworks struct {
	Cause    events.Record
	TenantID ids.TenantID
	Reason   network.Reason
}

// DeprovisionNetworks moves every network of the tenant to deprovisioning,
// one command per network; a network already on its way out decides
// nothing.
func (a *App) DeprovisionNetworks(ctx context.Context, cmd DeprovisionNetworks) error {
	t, err := a.repos.tenants.Load(ctx, cmd.TenantID.String())
	if err != nil {
		return err
	}
	deprovision := network.Deprovision{Reason: cmd.Reason}
	for _, id := range t.State.NetworkIDs() {
		if _, err := a.repos.networks.Execute(ctx, id.String(), causedBy(cmd.Cause, "deprovision:"+id.String()),
			deprovision.Decide); err != nil {
			return err
		}
	}
	return nil
}
