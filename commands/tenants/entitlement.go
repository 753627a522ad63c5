package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// liveTenant refuses a tenant that does not exist or was swept (404) and
// one that is deregistered (403).
func liveTenant(t tenant.State) error {
	switch {
	case !t.Exists() || t.Status == tenant.StatusSwept:
		return refuse(NotFound, msgTenantNotFound, tenant.ErrNotFound)
	case !t.Live():
		return refuse(Forbidden, msgTenantClosed, tenant.ErrClosed)
	}
	return nil
}

// entitled is the entitlement to grow and to run: a live tenant (see
// liveTenant) whose subscription ok accepts (403 otherwise).
func entitled(t tenant.State, sub subscription.State, ok func(subscription.State) bool) error {
	if err := liveTenant(t); err != nil {
		return err
	}
	if !ok(sub) {
		return refuse(Forbidden, msgNoSubscription, nil)
	}
	return nil
}

// openTrialIfDue loads a tenant and its subscription. The trial is opened
// by the lifecycle process manager on tenant.created, but a daemon that
// enrolled a moment ago may get here first: for a live tenant that never
// had a subscription, it opens the trial itself, which decides the same
// (ADR 0007), so that a daemon's first token or network does not depend
// on how fast the process manager is.
func (a *App) openTrialIfDue(ctx context.Context, tenantID ids.TenantID) (tenant.State, subscription.State, error) {
	id := tenantID.String()
	t, err := a.repos.tenants.Load(ctx, id)
	if err != nil {
		return tenant.State{}, subscription.State{}, err
	}
	sub, err := a.repos.subscriptions.Load(ctx, id)
	if err != nil || !t.State.Live() || sub.State.Exists() {
		return t.State, sub.State, err
	}
	meta := events.Meta{TenantID: id, Actor: "process:open-trial"}
	open := subscription.OpenTrial{Entitlement: plan.Trial, Now: a.d.Now()}
	if _, err := a.repos.subscriptions.Execute(ctx, id, meta, open.Decide); err != nil {
		return tenant.State{}, subscription.State{}, err
	}
	sub, err = a.repos.subscriptions.Load(ctx, id)
	return t.State, sub.State, err
}
