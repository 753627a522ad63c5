package tenancy

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

// Apply implements projectors.Projection. Events of other aggregates, and
// unknown ones, change nothing.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, rec events.Record) error {
	id := rec.Aggregate.ID()
	var (
		sql  string
		args []any
	)
	switch e := rec.Data.(type) {
	case tenant.Created:
		sql = `INSERT INTO tenants (id, email_sealed, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`
		args = []any{id, string(e.Email), rec.Time}
	case tenant.Deregistered:
		sql = `UPDATE tenants SET deregistered_at = $2 WHERE id = $1`
		args = []any{id, rec.Time}
	case tenant.Swept:
		// Networks, daemons and the subscription go with it (cascade).
		sql = `DELETE FROM tenants WHERE id = $1`
		args = []any{id}
	case network.Registered:
		var name *string
		if e.DisplayName != "" {
			name = &e.DisplayName
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO networks (id, tenant_id, slug, display_name, region, provisioning_state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (id) DO NOTHING`,
			id, e.TenantID.String(), e.Slug.String(), name, string(e.Region), string(network.StatusProvisioning), rec.Time); err != nil {
			return fmt.Errorf("tenancy: %s: %w", rec.Type, err)
		}
		sql = `INSERT INTO daemons (id, tenant_id, network_id, public_key, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`
		args = []any{e.RegistrationID.String(), e.TenantID.String(), id, e.DaemonKey.String(), rec.Time}
	case network.Activated:
		sql, args = setNetworkState(id, network.StatusActive, rec)
	case network.DeprovisioningStarted:
		sql, args = setNetworkState(id, network.StatusDeprovisioning, rec)
	case network.Deprovisioned:
		// A deprovisioned network is gone from every view (its daemons
		// with it); its slug is released next.
		sql = `DELETE FROM networks WHERE id = $1`
		args = []any{id}
	case udpport.Allocated:
		// The pool's aggregate is the region's; the event names the
		// network. Not a change of the network's state: updated_at stays.
		sql = `UPDATE networks SET udp_port = $2 WHERE id = $1`
		args = []any{e.NetworkID.String(), int(e.Port)}
	case udpport.Released:
		sql = `UPDATE networks SET udp_port = NULL WHERE id = $1 AND udp_port = $2`
		args = []any{e.NetworkID.String(), int(e.Port)}
	case network.DaemonUnbound:
		sql = `DELETE FROM daemons WHERE id = $1 AND network_id = $2`
		args = []any{e.RegistrationID.String(), id}
	case daemon.Removed:
		sql = `DELETE FROM daemons WHERE id = $1`
		args = []any{e.RegistrationID.String()}
	case subscription.TrialOpened:
		sql = `
			INSERT INTO subscriptions (tenant_id, id, status, max_networks, max_daemons, trial_expires_at, created_at, updated_at)
			SELECT $1, $2, 'trialing', $3, $4, $5, $6, $6 WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $1)
			ON CONFLICT (tenant_id) DO UPDATE SET id = EXCLUDED.id, status = EXCLUDED.status,
				max_networks = EXCLUDED.max_networks, max_daemons = EXCLUDED.max_daemons,
				trial_expires_at = EXCLUDED.trial_expires_at, updated_at = EXCLUDED.updated_at`
		args = []any{id, rec.ID, e.Entitlement.MaxNetworks, e.Entitlement.MaxDaemons, e.ExpiresAt, rec.Time}
	case subscription.Closed:
		sql = `UPDATE subscriptions SET status = 'canceled', updated_at = $2 WHERE tenant_id = $1`
		args = []any{id, rec.Time}
	default:
		return nil
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("tenancy: %s: %w", rec.Type, err)
	}
	return nil
}

func setNetworkState(id string, state network.Status, rec events.Record) (string, []any) {
	return `UPDATE networks SET provisioning_state = $2, updated_at = $3 WHERE id = $1`,
		[]any{id, string(state), rec.Time}
}
