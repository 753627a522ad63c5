package subscription_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

// The process manager (on tenant.created) and the reconcile open the trial
// at once: both decide on a tenant without a subscription, one append wins,
// the other conflicts, decides again and stores nothing. The log holds one
// trial; once closed, it is never reopened.
func TestConcurrentOpenTrialOpensOne(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	subs := aggregatetest.Repository(t, aggregatetest.Store(t, subscription.Register), aggregates.Kind[subscription.State]{
		Type: subscription.Type, Initial: subscription.Initial, Evolve: subscription.Evolve, StateVersion: subscription.StateVersion,
	})

	open := aggregatetest.Execute(subs, tenantID, subscription.OpenTrial{Entitlement: plan.Trial, Now: now}.Decide)
	aggregatetest.OneWins(t, aggregatetest.Race(ctx, open, open), nil)
	got, err := subs.Load(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 1 || !got.State.Current() {
		t.Fatalf("subscription %+v after %d events; want one open trial", got.State, got.Events)
	}

	if _, err := subs.Execute(ctx, tenantID, events.Meta{}, subscription.Close{Reason: subscription.ReasonExpired}.Decide); err != nil {
		t.Fatal(err)
	}
	res, err := subs.Execute(ctx, tenantID, events.Meta{}, subscription.OpenTrial{Entitlement: plan.Trial, Now: now}.Decide)
	if err != nil || res.Last != 0 {
		t.Fatalf("reopen after close: %+v, %v; want nothing stored", res, err)
	}
	got, err = subs.Load(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 2 || got.State.Current() || got.State.Entitlement() != (plan.Entitlement{}) {
		t.Fatalf("subscription %+v after %d events; want the trial closed for good", got.State, got.Events)
	}
}
