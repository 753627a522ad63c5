package tunneller_test

// The fixture every command's test runs on: the App of region "local" on a
// real log (in-process NATS) and real Postgres (snapshots), and the
// networks a test registers in that log as the tenants service would. No
// projection runs unless a test starts the process manager.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/commands/tunneller"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// region is the fixture's region; other is a region it does not serve.
const (
	region = naming.Region("local")
	other  = naming.Region("elsewhere")
)

// ports is the fixture's pool: small enough to fill.
var ports = udpport.Range{First: 40000, Last: 40009}

type fixture struct {
	t     *testing.T
	nats  *testenv.NATS
	db    *testenv.DB
	store *events.Store
	app   *tunneller.App
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, nats: testenv.StartNATS(t), db: testenv.Postgres(t)}
	cat := events.NewCatalog()
	tunneller.Catalog(cat)
	f.store = f.nats.Store(t, cat)
	f.app = f.newApp()
	return f
}

// newApp is another App of the region on the same log and database: a
// second replica, or another node's.
func (f *fixture) newApp() *tunneller.App {
	f.t.Helper()
	app, err := tunneller.New(tunneller.Deps{Store: f.store, Pool: f.db.Pool, Region: region, Ports: ports,
		Logger: slog.New(slog.NewTextHandler(f.t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	must(f.t, err)
	return app
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// register appends the registration of a network of a new tenant in r,
// with one daemon, and any later events.
func (f *fixture) register(r naming.Region, later ...events.Payload) ids.NetworkID {
	f.t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	must(f.t, err)
	key, err := ids.DaemonKeyOf(pub)
	must(f.t, err)
	id, tenant := ids.New[ids.NetworkID](), ids.New[ids.TenantID]()
	registered, err := network.RegisterNetwork{
		TenantID: tenant, Slug: naming.Slug("net-" + string(id[:8])), Region: r,
		RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: key,
	}.Decide(network.Initial())
	must(f.t, err)
	_, err = f.store.Append(f.t.Context(), events.Meta{TenantID: tenant.String(), Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, id.String()), Events: append(registered, later...),
	})
	must(f.t, err)
	return id
}

// onNetwork appends evs to network id, as the tenants service would.
func (f *fixture) onNetwork(id ids.NetworkID, evs ...events.Payload) {
	f.t.Helper()
	_, err := f.store.Append(f.t.Context(), events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, id.String()), Expect: events.AnyVersion(), Events: evs,
	})
	must(f.t, err)
}

// allocate is AllocateUDPPort on app, which must succeed.
func (f *fixture) allocate(app *tunneller.App, id ids.NetworkID) uint16 {
	f.t.Helper()
	p, err := app.AllocateUDPPort(f.t.Context(), tunneller.AllocateUDPPort{NetworkID: id})
	if err != nil {
		f.t.Fatalf("allocate a port for %s: %v", id, err)
	}
	return p
}

// pool is the region's pool as the log holds it.
func (f *fixture) pool() (udpport.State, []events.Record) {
	f.t.Helper()
	s := udpport.Initial()
	var recs []events.Record
	for rec, err := range f.store.Load(f.t.Context(), events.MustRef(udpport.Type, string(region)), 0) {
		must(f.t, err)
		s = udpport.Evolve(s, rec)
		recs = append(recs, rec)
	}
	return s, recs
}

// poolEvents is the payloads of the pool's events.
func (f *fixture) poolEvents() []events.Payload {
	f.t.Helper()
	_, recs := f.pool()
	out := make([]events.Payload, len(recs))
	for i, r := range recs {
		out[i] = r.Data
	}
	return out
}

// wantPool checks the pool's events, in order.
func (f *fixture) wantPool(want ...events.Payload) {
	f.t.Helper()
	if got := f.poolEvents(); !reflect.DeepEqual(got, want) && (len(got) != 0 || len(want) != 0) {
		f.t.Fatalf("pool events %v, want %v", got, want)
	}
}

// lastSeq is the log's last sequence.
func (f *fixture) lastSeq() events.StreamSeq {
	f.t.Helper()
	seq, err := f.store.LastSeq(f.t.Context())
	must(f.t, err)
	return seq
}

// runProcess runs the UDP port process manager on the projector runtime
// until the test ends.
func (f *fixture) runProcess() {
	f.t.Helper()
	p, err := projectors.New(f.db.Pool, f.store, tunneller.NewUDPPortProcess(f.app), projectors.Options{
		PinnedTTL: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(f.t.Output(), nil)),
	})
	must(f.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	f.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			f.t.Errorf("process manager: %v", err)
		}
	})
}

// wantRefused checks that err is a refusal of kind.
func wantRefused(t *testing.T, err error, kind tunneller.Kind) {
	t.Helper()
	if got := tunneller.KindOf(err); got != kind {
		t.Fatalf("%v, want a %s refusal", err, kind)
	}
}

// released is the event of id's port going back to the pool.
func released(id ids.NetworkID, port uint16, reason udpport.Reason) udpport.Released {
	return udpport.Released{NetworkID: id, Port: port, Reason: reason}
}

func allocated(id ids.NetworkID, port uint16) udpport.Allocated {
	return udpport.Allocated{NetworkID: id, Port: port}
}

// holds checks that the pool gives id port p, or no port when p is 0.
func (f *fixture) holds(id ids.NetworkID, p uint16) error {
	s, _ := f.pool()
	got, ok := s.PortOf(id)
	if got != p || ok != (p != 0) {
		return fmt.Errorf("%s holds %d (%v), want %d", id, got, ok, p)
	}
	return nil
}

// processAt waits, bounded, until the process manager has applied the
// event at seq.
func (f *fixture) processAt(seq events.StreamSeq) error {
	ctx, cancel := context.WithTimeout(f.t.Context(), time.Second)
	defer cancel()
	return projectors.WaitFor(ctx, f.db.Pool, tunneller.UDPPortProcessName, seq)
}
