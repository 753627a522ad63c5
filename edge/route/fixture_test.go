package route_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	region = naming.Region("eu-west")
	other  = naming.Region("us-east")
)

// patience bounds every wait for the table to apply what a test appended.
const patience = 30 * time.Second

// fixture is one test's log: in-process NATS with the EVENTS stream, and
// events decided by the aggregates' own Decide functions on the state
// their own Evolve folds from the log.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	nats  *testenv.NATS
	store *events.Store
	now   time.Time
}

func catalog() *events.Catalog {
	c := events.NewCatalog()
	network.Register(c)
	subscription.Register(c)
	tenant.Register(c)
	report.Register(c)
	return c
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	n := testenv.StartNATS(t)
	return &fixture{t: t, ctx: ctx, nats: n, store: n.Store(t, catalog()),
		now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

// execute loads aggregate typ/id with evolve, decides, and appends what
// was decided at the version it was decided on.
func execute[S any](f *fixture, typ, id string, initial S, evolve func(S, events.Record) S, decide func(S) ([]events.Payload, error)) {
	f.t.Helper()
	ref := events.MustRef(typ, id)
	s, version := initial, events.StreamSeq(0)
	for rec, err := range f.store.Load(f.ctx, ref, 0) {
		if err != nil {
			f.t.Fatal(err)
		}
		s, version = evolve(s, rec), rec.Seq
	}
	ps, err := decide(s)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(ps) == 0 {
		f.t.Fatalf("%s: nothing decided", ref)
	}
	if _, err := f.store.Append(f.ctx, events.Meta{Actor: "test"}, events.Change{
		Aggregate: ref, Expect: events.ExpectVersion(version), Events: ps,
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) onTenant(id ids.TenantID, decide func(tenant.State) ([]events.Payload, error)) {
	f.t.Helper()
	execute(f, tenant.Type, id.String(), tenant.Initial(), tenant.Evolve, decide)
}

func (f *fixture) onSubscription(id ids.TenantID, decide func(subscription.State) ([]events.Payload, error)) {
	f.t.Helper()
	execute(f, subscription.Type, id.String(), subscription.Initial(), subscription.Evolve, decide)
}

func (f *fixture) onNetwork(id ids.NetworkID, decide func(network.State) ([]events.Payload, error)) {
	f.t.Helper()
	execute(f, network.Type, id.String(), network.Initial(), network.Evolve, decide)
}

// tenant creates a tenant and opens its trial, as the tenants service and
// its lifecycle process do.
func (f *fixture) tenant() ids.TenantID {
	f.t.Helper()
	id := ids.New[ids.TenantID]()
	f.onTenant(id, tenant.Create{TenantID: id, Email: "sealed"}.Decide)
	f.onSubscription(id, subscription.OpenTrial{Entitlement: plan.Trial, Now: f.now}.Decide)
	return id
}

// register registers a network of tenant ten named slug in region in.
func (f *fixture) register(ten ids.TenantID, slug string, in naming.Region) ids.NetworkID {
	f.t.Helper()
	id := ids.New[ids.NetworkID]()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	key, err := ids.DaemonKeyOf(pub)
	if err != nil {
		f.t.Fatal(err)
	}
	f.onNetwork(id, network.RegisterNetwork{TenantID: ten, Slug: naming.Slug(slug), DisplayName: slug,
		Region: in, RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: key}.Decide)
	return id
}

func (f *fixture) activate(id ids.NetworkID) {
	f.t.Helper()
	f.onNetwork(id, network.Activate{}.Decide)
}

func (f *fixture) deprovision(id ids.NetworkID) {
	f.t.Helper()
	f.onNetwork(id, network.Deprovision{Reason: network.ReasonUser}.Decide)
}

func (f *fixture) markDeprovisioned(id ids.NetworkID) {
	f.t.Helper()
	f.onNetwork(id, network.MarkDeprovisioned{}.Decide)
}

func (f *fixture) closeSubscription(ten ids.TenantID) {
	f.t.Helper()
	f.onSubscription(ten, subscription.Close{Reason: subscription.ReasonExpired}.Decide)
}

func (f *fixture) deregister(ten ids.TenantID) {
	f.t.Helper()
	f.onTenant(ten, tenant.Deregister{}.Decide)
}

// report appends a daemon's address report: an event of an aggregate the
// table does not read.
func (f *fixture) report(id ids.NetworkID) {
	f.t.Helper()
	if _, err := f.store.Append(f.ctx, events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(report.Type, id.String()), Expect: events.AnyVersion(),
		Events: []events.Payload{report.AddressReported{Address: netip.MustParseAddr("192.0.2.7")}},
	}); err != nil {
		f.t.Fatal(err)
	}
}

// running is a table whose Run goes on until stop (or the test's end).
type running struct {
	*route.Table
	exited chan struct{} // closed when Run returned
	err    error         // what Run returned, once exited is closed
	stop   func() error
}

// start builds a table of region over the fixture's store and runs it.
func (f *fixture) start(in naming.Region) *running {
	f.t.Helper()
	return f.startOn(f.store, in, nil)
}

// startOn builds a table of region over store, gives it to before (if
// any), and runs it.
func (f *fixture) startOn(store *events.Store, in naming.Region, before func(*running)) *running {
	f.t.Helper()
	tab, err := route.New(store, route.Config{Region: in, Logger: slog.New(slog.NewTextHandler(f.t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	r := &running{Table: tab, exited: make(chan struct{})}
	r.stop = func() error { cancel(); <-r.exited; return r.err }
	if before != nil {
		before(r)
	}
	go func() {
		defer close(r.exited)
		r.err = tab.Run(ctx)
	}()
	f.t.Cleanup(func() {
		if err := r.stop(); err != nil && !errors.Is(err, route.ErrHalted) {
			f.t.Errorf("route: Run: %v", err)
		}
	})
	return r
}

// ready waits for the table's Ready.
func (f *fixture) ready(tab *running) {
	f.t.Helper()
	select {
	case <-tab.Ready():
	case <-time.After(patience):
		f.t.Fatalf("table not ready within %s", patience)
	}
}

// caughtUp waits until the table has applied the whole log.
func (f *fixture) caughtUp(tab *running) {
	f.t.Helper()
	f.ready(tab)
	last, err := f.store.LastSeq(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	testenv.Eventually(f.t, patience, func() error {
		if got := tab.Seq(); got < last {
			return fmt.Errorf("table at seq %d, log at %d", got, last)
		}
		return nil
	})
}

// lapses collects what a table reports to its subscribers.
type lapses struct {
	ch chan route.Lapse
}

func subscribe(t testing.TB, tab *running) *lapses {
	l := &lapses{ch: make(chan route.Lapse, 64)}
	t.Cleanup(tab.Subscribe(func(x route.Lapse) { l.ch <- x }))
	return l
}

// next is the next lapse, which must come within within.
func (l *lapses) next(t testing.TB, within time.Duration) route.Lapse {
	t.Helper()
	select {
	case x := <-l.ch:
		return x
	case <-time.After(within):
		t.Fatalf("no lapse within %s", within)
		return route.Lapse{}
	}
}

// none checks that nothing was reported so far.
func (l *lapses) none(t testing.TB) {
	t.Helper()
	select {
	case x := <-l.ch:
		t.Fatalf("unexpected lapse %+v", x)
	default:
	}
}
