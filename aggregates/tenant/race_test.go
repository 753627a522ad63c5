package tenant_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// Two networks registered at once by a trial tenant: both decide on the
// same version, one append wins, the other conflicts, decides again on the
// winner's event and reports ErrNetworkLimit. The log counts one network.
func TestConcurrentAddNetworkRespectsLimit(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := events.NewCatalog()
	tenant.Register(c)
	store := testenv.StartNATS(t).Store(t, c)
	tenants, err := aggregates.NewRepository(store, nil, aggregates.Kind[tenant.State]{
		Type: tenant.Type, Initial: tenant.Initial, Evolve: tenant.Evolve, StateVersion: tenant.StateVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	id := string(tenantID)
	if _, err := tenants.Execute(ctx, id, events.Meta{}, tenant.Create{TenantID: tenantID, Email: sealed}.Decide); err != nil {
		t.Fatal(err)
	}

	var (
		firstDecisions sync.WaitGroup
		calls          atomic.Int32
		wg             sync.WaitGroup
		errs           [2]error
	)
	firstDecisions.Add(2)
	for i, nw := range []naming.ID{net1, net2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			_, errs[i] = tenants.Execute(ctx, id, events.Meta{}, func(s tenant.State) ([]events.Payload, error) {
				calls.Add(1)
				if first { // both decide on the same version before either appends
					first = false
					firstDecisions.Done()
					firstDecisions.Wait()
				}
				return tenant.AddNetwork{NetworkID: nw, Entitlement: naming.TrialEntitlement}.Decide(s)
			})
		}()
	}
	wg.Wait()

	if ok0, ok1 := errs[0] == nil, errs[1] == nil; ok0 == ok1 {
		t.Fatalf("errors %v; want exactly one success", errs)
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, tenant.ErrNetworkLimit) {
			t.Fatalf("loser: %v, want ErrNetworkLimit", err)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("decided %d times, want 3 (two decisions and the loser's retry)", n)
	}
	got, err := tenants.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 2 || len(got.State.Networks) != 1 {
		t.Fatalf("%d events, networks %v; want created and one network_added", got.Events, got.State.NetworkIDs())
	}
}
