package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// ReleaseNetwork asks to let go of network NetworkID, because of Cause
// (its network.deprovisioned).
type ReleaseNetwork struct {
	Cause     events.Record
	NetworkID ids.NetworkID
}

// ReleaseNetwork follows a network's deprovisioning: its slug is released,
// its daemons removed (reason network_deprovisioned) and it stops counting
// against its tenant, in one append. A network that is not deprovisioned
// decides nothing.
func (a *App) ReleaseNetwork(ctx context.Context, cmd ReleaseNetwork) error {
	networkID := cmd.NetworkID
	_, err := aggregates.Execute(ctx, a.d.Store, causedBy(cmd.Cause, "release-network"), func(ctx context.Context, tx *aggregates.Tx) error {
		n, err := aggregates.Get(ctx, tx, a.repos.networks, networkID.String())
		if err != nil || n.Status != network.StatusDeprovisioned {
			return err
		}
		t, err := aggregates.Get(ctx, tx, a.repos.tenants, n.TenantID.String())
		if err != nil {
			return err
		}
		slug, err := aggregates.Get(ctx, tx, a.repos.slugs, n.Slug.String())
		if err != nil {
			return err
		}
		released, err := reservation.Release[ids.NetworkID]{Owner: networkID}.Decide(slug)
		if err != nil {
			return err
		}
		var tenantEvents []events.Payload
		for id, key := range n.Daemons {
			d, err := aggregates.Get(ctx, tx, a.repos.daemons, key.Fingerprint().String())
			if err != nil {
				return err
			}
			removed, err := daemon.Remove{Reason: daemon.ReasonNetworkDeprovisioned, NetworkID: networkID}.Decide(d)
			if err != nil {
				return err
			}
			uncounted, err := tenant.RemoveDaemon{RegistrationID: id}.Decide(t)
			if err != nil {
				return err
			}
			tx.Emit(ref(a.repos.daemons, key.Fingerprint().String()), removed...)
			tenantEvents = append(tenantEvents, uncounted...)
		}
		removed, err := tenant.RemoveNetwork{NetworkID: networkID}.Decide(t)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.slugs, n.Slug.String()), released...)
		tx.Emit(ref(a.repos.tenants, n.TenantID.String()), append(tenantEvents, removed...)...)
		return nil
	})
	return err
}
