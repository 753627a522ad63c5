package tenants

import (
	"context"
	"errors"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

// MarkNetworkDeprovisioned records that network NetworkID has no DNS
// record left: what the DNS projector decides (projectors/dns), and what
// tests and tools decide in its place. Meta names the command.
type MarkNetworkDeprovisioned struct {
	Meta      events.Meta
	NetworkID ids.NetworkID
}

// MarkNetworkDeprovisioned moves a deprovisioning network to
// deprovisioned, which the lifecycle follows with ReleaseNetwork. A
// network already deprovisioned decides nothing; any other is refused
// (409).
func (a *App) MarkNetworkDeprovisioned(ctx context.Context, cmd MarkNetworkDeprovisioned) error {
	_, err := a.repos.networks.Execute(ctx, cmd.NetworkID.String(), cmd.Meta, network.MarkDeprovisioned{}.Decide)
	if errors.Is(err, network.ErrWrongState) {
		return refuse(Conflict, msgNotDeprovisioning, err)
	}
	return err
}
