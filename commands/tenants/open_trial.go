package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

// OpenTrial asks for the trial subscription of tenant TenantID, because of
// Cause (its tenant.created).
type OpenTrial struct {
	Cause    events.Record
	TenantID ids.TenantID
}

// OpenTrial opens the trial, from the cause's time, for a live tenant that
// never had a subscription; any other tenant gets none.
func (a *App) OpenTrial(ctx context.Context, cmd OpenTrial) error {
	id := cmd.TenantID.String()
	_, err := aggregates.Execute(ctx, a.d.Store, causedBy(cmd.Cause, "open-trial"), func(ctx context.Context, tx *aggregates.Tx) error {
		t, err := aggregates.Get(ctx, tx, a.repos.tenants, id)
		if err != nil || !t.Live() {
			return err
		}
		sub, err := aggregates.Get(ctx, tx, a.repos.subscriptions, id)
		if err != nil {
			return err
		}
		opened, err := subscription.OpenTrial{Entitlement: plan.Trial, Now: cmd.Cause.Time}.Decide(sub)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.subscriptions, id), opened...)
		return nil
	})
	return err
}
