package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

type fixture struct {
	store    *events.Store
	daemons  *aggregates.Repository[daemon.State]
	networks *aggregates.Repository[network.State]
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	store := aggregatetest.Store(t, daemon.Register, network.Register)
	return fixture{
		store: store,
		daemons: aggregatetest.Repository(t, store, aggregates.Kind[daemon.State]{
			Type: daemon.Type, Initial: daemon.Initial, Evolve: daemon.Evolve, StateVersion: daemon.StateVersion,
		}),
		networks: aggregatetest.Repository(t, store, aggregates.Kind[network.State]{
			Type: network.Type, Initial: network.Initial, Evolve: network.Evolve, StateVersion: network.StateVersion,
		}),
	}
}

// registerNetwork is the daemon and network part of POST /v1/networks:
// the network's registration and the key's, in one atomic append. It calls
// loaded once each attempt has loaded both aggregates.
func (f fixture) registerNetwork(networkID ids.NetworkID, slug naming.Slug) aggregatetest.Racer {
	fp := key.Fingerprint().String()
	return func(ctx context.Context, loaded func()) (aggregates.Result, error) {
		return aggregates.Execute(ctx, f.store, events.Meta{}, func(ctx context.Context, tx *aggregates.Tx) error {
			d, err := aggregates.Get(ctx, tx, f.daemons, fp)
			if err != nil {
				return err
			}
			n, err := aggregates.Get(ctx, tx, f.networks, string(networkID))
			if err != nil {
				return err
			}
			loaded()
			registration := ids.New[ids.RegistrationID]()
			regDaemon, err := daemon.RegisterDaemon{RegistrationID: registration, NetworkID: networkID, TenantID: tenantA}.Decide(d)
			if err != nil {
				return err
			}
			regNetwork, err := network.RegisterNetwork{
				TenantID: tenantA, Slug: slug, Region: "local", RegistrationID: registration, DaemonKey: key,
			}.Decide(n)
			if err != nil {
				return err
			}
			tx.Emit(events.MustRef(daemon.Type, fp), regDaemon...)
			tx.Emit(events.MustRef(network.Type, string(networkID)), regNetwork...)
			return nil
		})
	}
}

func (f fixture) enroll(t *testing.T) {
	t.Helper()
	if _, err := f.daemons.Execute(context.Background(), key.Fingerprint().String(), events.Meta{}, daemon.Enroll{TenantID: tenantA, Key: key, Now: t0}.Decide); err != nil {
		t.Fatal(err)
	}
}

// Two registrations of one key into two networks, both decided on the same
// state: one append wins; the other conflicts on the key, decides again and
// finds it registered. Its network never comes to exist.
func TestRegisterOneKeyIntoTwoNetworks(t *testing.T) {
	f := newFixture(t)
	f.enroll(t)
	ctx := context.Background()

	nets := []ids.NetworkID{net1, net2}
	outs := aggregatetest.Race(ctx, f.registerNetwork(nets[0], "net-0"), f.registerNetwork(nets[1], "net-1"))
	winner, loser := aggregatetest.OneWins(t, outs, daemon.ErrAlreadyRegistered)

	d, err := f.daemons.Load(ctx, key.Fingerprint().String())
	if err != nil {
		t.Fatal(err)
	}
	if d.Events != 2 || d.State.NetworkID != nets[winner] {
		t.Fatalf("daemon: %d events, registered to %q, want 2 and %s", d.Events, d.State.NetworkID, nets[winner])
	}
	if s := d.State.Scope(t0); s.Kind != daemon.ScopeNetwork || s.NetworkID != nets[winner] {
		t.Fatalf("scope %+v", s)
	}
	w, err := f.networks.Load(ctx, string(nets[winner]))
	if err != nil || !w.State.HasDaemon(d.State.RegistrationID) || w.State.Daemons[d.State.RegistrationID] != key {
		t.Fatalf("winner network %+v, %v", w.State, err)
	}
	l, err := f.networks.Load(ctx, string(nets[loser]))
	if err != nil || l.Events != 0 {
		t.Fatalf("loser network has %d events, %v", l.Events, err)
	}
}

// Many concurrent registrations without coordination: still exactly one.
func TestRegisterOneKeyManyTimes(t *testing.T) {
	f := newFixture(t)
	f.enroll(t)
	ctx := context.Background()

	racers := make([]aggregatetest.Racer, 8)
	for i := range racers {
		racers[i] = f.registerNetwork(ids.New[ids.NetworkID](), naming.Slug(fmt.Sprintf("net-%d", i)))
	}
	wins := 0
	for _, o := range aggregatetest.Crowd(ctx, racers...) {
		switch {
		case o.Err == nil:
			wins++
		case !errors.Is(o.Err, daemon.ErrAlreadyRegistered):
			t.Errorf("unexpected error: %v", o.Err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d registrations succeeded, want 1", wins)
	}
	var networks int
	for _, err := range f.store.Read(ctx, events.Query{Types: []string{network.Registered{}.EventType()}}) {
		if err != nil {
			t.Fatal(err)
		}
		networks++
	}
	if networks != 1 {
		t.Fatalf("the log holds %d network registrations, want 1", networks)
	}
}
