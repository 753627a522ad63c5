package subscription_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// The process manager (on tenant.created) and the reconcile open the trial
// at once: both decide on a tenant without a subscription, one append wins,
// the other conflicts, decides again and stores nothing. The log holds one
// trial; once closed, it is never reopened.
func TestConcurrentOpenTrialOpensOne(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := events.NewCatalog()
	subscription.Register(c)
	store := testenv.StartNATS(t).Store(t, c)
	subs, err := aggregates.NewRepository(store, nil, aggregates.Kind[subscription.State]{
		Type: subscription.Type, Initial: subscription.Initial, Evolve: subscription.Evolve, StateVersion: subscription.StateVersion,
	})
	if err != nil {
		t.Fatal(err)
	}

	var (
		firstDecisions sync.WaitGroup
		calls          atomic.Int32
		wg             sync.WaitGroup
		results        [2]aggregates.Result
		errs           [2]error
	)
	firstDecisions.Add(2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			results[i], errs[i] = subs.Execute(ctx, tenantID, events.Meta{}, func(s subscription.State) ([]events.Payload, error) {
				calls.Add(1)
				if first { // both decide on no subscription before either appends
					first = false
					firstDecisions.Done()
					firstDecisions.Wait()
				}
				return subscription.OpenTrial{Entitlement: naming.TrialEntitlement, Now: now}.Decide(s)
			})
		}()
	}
	wg.Wait()

	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors %v", errs)
	}
	if stored := (results[0].Last != 0) != (results[1].Last != 0); !stored {
		t.Fatalf("results %+v; want exactly one command to store the trial", results)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("decided %d times, want 3 (two decisions and the loser's retry)", n)
	}
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
	res, err := subs.Execute(ctx, tenantID, events.Meta{}, subscription.OpenTrial{Entitlement: naming.TrialEntitlement, Now: now}.Decide)
	if err != nil || res.Last != 0 {
		t.Fatalf("reopen after close: %+v, %v; want nothing stored", res, err)
	}
	got, err = subs.Load(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 2 || got.State.Current() || got.State.Entitlement() != (naming.Entitlement{}) {
		t.Fatalf("subscription %+v after %d events; want the trial closed for good", got.State, got.Events)
	}
}
