package network_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func newRepo(t *testing.T) *aggregates.Repository[network.State] {
	t.Helper()
	return aggregatetest.Repository(t, aggregatetest.Store(t, network.Register), aggregates.Kind[network.State]{
		Type: network.Type, Initial: network.Initial, Evolve: network.Evolve, StateVersion: network.StateVersion,
	})
}

// The DNS projector activates a network while its owner deletes it: either
// order ends in deprovisioning, never back to active.
func TestActivateRacesDeprovision(t *testing.T) {
	repo := newRepo(t)
	ctx := context.Background()
	const id = "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
	if _, err := repo.Execute(ctx, id, events.Meta{}, network.RegisterNetwork{
		TenantID: tenant, Slug: "home-lab", Region: "local", RegistrationID: daemon1, DaemonKey: key1,
	}.Decide); err != nil {
		t.Fatal(err)
	}

	outs := aggregatetest.Race(ctx,
		aggregatetest.Execute(repo, id, network.Activate{}.Decide),
		aggregatetest.Execute(repo, id, network.Deprovision{Reason: network.ReasonUser}.Decide))
	activate, deprovision := outs[0], outs[1]
	if activate.Attempts+deprovision.Attempts != 3 {
		t.Fatalf("attempts %d and %d: want one decided once and the other twice", activate.Attempts, deprovision.Attempts)
	}
	if deprovision.Err != nil {
		t.Fatalf("deprovision: %v", deprovision.Err)
	}
	activateLost := activate.Attempts == 2
	if activateLost != errors.Is(activate.Err, network.ErrWrongState) {
		t.Fatalf("activate decided %d times, err %v", activate.Attempts, activate.Err)
	}
	got, err := repo.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := 3
	if activateLost {
		wantEvents = 2
	}
	if got.State.Status != network.StatusDeprovisioning || got.Events != wantEvents {
		t.Fatalf("state %s after %d events, want deprovisioning after %d", got.State.Status, got.Events, wantEvents)
	}
}

// Two registrations of one network id: one is stored, the other decides
// again and finds it.
func TestRegisterRace(t *testing.T) {
	repo := newRepo(t)
	const id = "4a2f3e5d-6c7b-4a89-9bac-1d2e3f4a5b6c"
	reg := func(slug string) aggregatetest.Racer {
		return aggregatetest.Execute(repo, id, network.RegisterNetwork{TenantID: tenant, Slug: naming.Slug(slug), Region: "local", RegistrationID: daemon1, DaemonKey: key1}.Decide)
	}
	aggregatetest.OneWins(t, aggregatetest.Race(context.Background(), reg("first"), reg("second")), network.ErrExists)
	got, err := repo.Load(context.Background(), id)
	if err != nil || got.Events != 1 {
		t.Fatalf("%d events, %v", got.Events, err)
	}
}
