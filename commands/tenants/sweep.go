package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// Sweep asks to remove tenant TenantID, because of Cause (its
// tenant.deregistered or tenant.network_removed).
type Sweep struct {
	Cause    events.Record
	TenantID ids.TenantID
}

// Sweep removes a deregistered tenant whose networks are all gone; for any
// other tenant it decides nothing. The tenant's data key is destroyed when
// the process manager sees tenant.swept (ShredTenant).
func (a *App) Sweep(ctx context.Context, cmd Sweep) error {
	_, err := a.repos.tenants.Execute(ctx, cmd.TenantID.String(), causedBy(cmd.Cause, "sweep"), func(t tenant.State) ([]events.Payload, error) {
		if !t.Exists() || t.Live() || len(t.Networks) > 0 {
			return nil, nil
		}
		return tenant.Sweep{}.Decide(t)
	})
	return err
}
