package tenant_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// Two networks registered at once by a trial tenant: both decide on the
// same version, one append wins, the other conflicts, decides again on the
// winner's event and reports ErrNetworkLimit. The log counts one network.
func TestConcurrentAddNetworkRespectsLimit(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tenants := aggregatetest.Repository(t, aggregatetest.Store(t, tenant.Register), aggregates.Kind[tenant.State]{
		Type: tenant.Type, Initial: tenant.Initial, Evolve: tenant.Evolve, StateVersion: tenant.StateVersion,
	})
	id := string(tenantID)
	if _, err := tenants.Execute(ctx, id, events.Meta{}, tenant.Create{TenantID: tenantID, Email: sealed}.Decide); err != nil {
		t.Fatal(err)
	}

	add := func(nw ids.NetworkID) aggregatetest.Racer {
		return aggregatetest.Execute(tenants, id, tenant.AddNetwork{NetworkID: nw, Entitlement: plan.Trial}.Decide)
	}
	aggregatetest.OneWins(t, aggregatetest.Race(ctx, add(net1), add(net2)), tenant.ErrNetworkLimit)

	got, err := tenants.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 2 || len(got.State.Networks) != 1 {
		t.Fatalf("%d events, networks %v; want created and one network_added", got.Events, got.State.NetworkIDs())
	}
}
