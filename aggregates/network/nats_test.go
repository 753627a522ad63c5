package network_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func newRepo(t *testing.T) (*aggregates.Repository[network.State], *events.Store) {
	t.Helper()
	c := events.NewCatalog()
	network.Register(c)
	store := testenv.StartNATS(t).Store(t, c)
	repo, err := aggregates.NewRepository(store, nil, aggregates.Kind[network.State]{
		Type: network.Type, Initial: network.Initial, Evolve: network.Evolve, StateVersion: network.StateVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	return repo, store
}

// raced runs decides concurrently; each first decides only once all of
// them have loaded the same state, so all but one must conflict and decide
// again. It returns each one's error and how many times it decided.
func raced(t *testing.T, repo *aggregates.Repository[network.State], id string, decides ...func(network.State) ([]events.Payload, error)) ([]error, []int) {
	t.Helper()
	errs, attempts := make([]error, len(decides)), make([]int, len(decides))
	var loaded, done sync.WaitGroup
	loaded.Add(len(decides))
	for i, decide := range decides {
		done.Go(func() {
			_, errs[i] = repo.Execute(context.Background(), id, events.Meta{}, func(s network.State) ([]events.Payload, error) {
				attempts[i]++
				if attempts[i] == 1 {
					loaded.Done()
					loaded.Wait()
				}
				return decide(s)
			})
		})
	}
	done.Wait()
	return errs, attempts
}

// The DNS projector activates a network while its owner deletes it: either
// order ends in deprovisioning, never back to active.
func TestActivateRacesDeprovision(t *testing.T) {
	repo, _ := newRepo(t)
	ctx := context.Background()
	const id = "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
	if _, err := repo.Execute(ctx, id, events.Meta{}, network.RegisterNetwork{
		TenantID: tenant, Slug: "home-lab", Region: "local", DaemonID: daemon1, DaemonKey: key1,
	}.Decide); err != nil {
		t.Fatal(err)
	}

	errs, attempts := raced(t, repo, id, network.Activate{}.Decide, network.Deprovision{Reason: network.ReasonUser}.Decide)
	if attempts[0]+attempts[1] != 3 {
		t.Fatalf("attempts %v: want one decided once and the other twice", attempts)
	}
	if errs[1] != nil {
		t.Fatalf("deprovision: %v", errs[1])
	}
	activateLost := attempts[0] == 2
	if activateLost != errors.Is(errs[0], network.ErrWrongState) {
		t.Fatalf("activate decided %d times, err %v", attempts[0], errs[0])
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
	repo, _ := newRepo(t)
	const id = "4a2f3e5d-6c7b-4a89-9bac-1d2e3f4a5b6c"
	reg := func(slug string) func(network.State) ([]events.Payload, error) {
		return network.RegisterNetwork{TenantID: tenant, Slug: naming.Slug(slug), Region: "local", DaemonID: daemon1, DaemonKey: key1}.Decide
	}
	errs, _ := raced(t, repo, id, reg("first"), reg("second"))
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("errors %v: want exactly one success", errs)
	}
	loser := errs[0]
	if loser == nil {
		loser = errs[1]
	}
	if !errors.Is(loser, network.ErrExists) {
		t.Fatalf("loser: %v", loser)
	}
	got, err := repo.Load(context.Background(), id)
	if err != nil || got.Events != 1 {
		t.Fatalf("%d events, %v", got.Events, err)
	}
}
