package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// A new tenant's creation opens its trial, from the creation's time, once;
// a deregistered tenant, or one whose trial was closed, gets none.
func TestOpenTrial(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice, gone, closed := f.enroll(newEmail("alice")), f.enroll(newEmail("gone")), f.enroll(newEmail("closed"))
	created := f.cause(tenant.Type, alice.TenantID.String(), tenant.Created{})
	for range 2 { // a redelivery decides nothing new
		must(t, f.app.OpenTrial(ctx, tenants.OpenTrial{Cause: created, TenantID: alice.TenantID}))
	}
	f.wantLog(subscription.Type, alice.TenantID.String(),
		subscription.TrialOpened{Entitlement: plan.Trial, ExpiresAt: created.Time.Add(subscription.TrialPeriod)})

	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: gone.TenantID}))
	must(t, f.app.OpenTrial(ctx, tenants.OpenTrial{Cause: f.cause(tenant.Type, gone.TenantID.String(), tenant.Created{}), TenantID: gone.TenantID}))
	f.wantLog(subscription.Type, gone.TenantID.String())

	f.mint(closed)
	f.closeSubscription(closed.TenantID)
	end := f.lastSeq()
	must(t, f.app.OpenTrial(ctx, tenants.OpenTrial{Cause: f.cause(tenant.Type, closed.TenantID.String(), tenant.Created{}), TenantID: closed.TenantID}))
	if f.lastSeq() != end {
		t.Error("a closed trial was opened again")
	}
}
