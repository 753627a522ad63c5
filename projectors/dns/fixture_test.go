package dns_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	region = naming.Region("local")
	parent = "my.example.net" // inside the fake's zone, example.net
	token  = "test-token"
)

var cfg = dns.Config{Region: region, Zone: parent}

// patience is how long a test waits for the projector and the reconcilers
// to do what it expects of them.
const patience = time.Minute

// The fake's virtual clock is also the Reconciler's, where a test gives it.
var _ dns.Clock = (*cftest.VirtualClock)(nil)

// fixture is one test's world: NATS with the log, a fresh database with
// the DNS projection running on it, and a fake Cloudflare whose client
// waits on a virtual clock (retries and Retry-After cost no real time).
type fixture struct {
	t        *testing.T
	cfg      dns.Config // the projection's, and the reconcilers' unless tuned
	ctx      context.Context
	nats     *testenv.NATS
	store    *events.Store
	db       *testenv.DB
	cf       *cftest.Server
	clock    *cftest.VirtualClock
	client   *cloudflare.Client
	proj     *projectors.Projector
	metrics  *prometheus.Registry // the projector's
	stopProj func()               // stops the projector (also when the test ends)
	log      *slog.Logger
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, testenv.Postgres(t))
}

// newFixtureOn is newFixture on a given database.
func newFixtureOn(t *testing.T, db *testenv.DB) *fixture {
	t.Helper()
	return newFixtureWith(t, db, cfg)
}

// newEdgeFixture is newFixture for a region whose edge nodes have edges.
func newEdgeFixture(t *testing.T, edges ...string) *fixture {
	t.Helper()
	c := cfg
	c.EdgeAddresses = addrs(edges...)
	return newFixtureWith(t, testenv.Postgres(t), c)
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// newFixtureWith is newFixture on a given database and configuration.
func newFixtureWith(t *testing.T, db *testenv.DB, cfg dns.Config) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	f := &fixture{t: t, cfg: cfg, ctx: ctx, nats: testenv.StartNATS(t), db: db,
		clock:   cftest.NewVirtualClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)),
		metrics: prometheus.NewRegistry(),
		log:     slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))}
	c := events.NewCatalog()
	network.Register(c)
	report.Register(c)
	f.store = f.nats.Store(t, c)
	f.cf = cftest.NewServer(t, token, cftest.WithClock(f.clock))
	client, err := cloudflare.New(cloudflare.Config{
		ZoneID: f.cf.ZoneID, Token: token, BaseURL: f.cf.URL, Clock: f.clock, Logger: f.log,
		Rand: func() float64 { return 0.5 },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.client = client
	p, err := projectors.New(f.db.Pool, f.store, dns.NewProjection(cfg), projectors.Options{
		PinnedTTL: 3 * time.Second, Registerer: f.metrics, Logger: f.log,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.proj = p
	f.stopProj = f.start("projector", p.Run)
	t.Cleanup(f.stopProj)
	return f
}

// run runs fn until the test ends.
func (f *fixture) run(what string, fn func(context.Context) error) {
	stop := f.start(what, fn)
	f.t.Cleanup(stop)
}

// start runs fn until the returned stop is called; stop waits for it.
func (f *fixture) start(what string, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := fn(ctx); err != nil {
			f.t.Errorf("%s: %v", what, err)
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

// reconciler is a Reconciler with a pool of its own, whose connections
// carry application name app (so a test can cut them).
type reconciler struct {
	*dns.Reconciler
	app  string
	stop func()
}

// startReconciler runs a new Reconciler until the test ends or its stop is
// called.
func (f *fixture) startReconciler(app string, tune func(*dns.ReconcilerConfig)) *reconciler {
	f.t.Helper()
	pc, err := pgxpool.ParseConfig(f.db.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	pc.ConnConfig.RuntimeParams["application_name"] = app
	pool, err := pgxpool.NewWithConfig(f.ctx, pc)
	if err != nil {
		f.t.Fatal(err)
	}
	rc := dns.ReconcilerConfig{Config: f.cfg, Poll: 50 * time.Millisecond, BackoffMin: 10 * time.Millisecond,
		BackoffMax: 200 * time.Millisecond, Logger: f.log.With("reconciler", app)}
	if tune != nil {
		tune(&rc)
	}
	r, err := dns.NewReconciler(pool, f.store, f.client, rc)
	if err != nil {
		f.t.Fatal(err)
	}
	stop := f.start("reconciler "+app, r.Run)
	f.t.Cleanup(func() { stop(); pool.Close() })
	return &reconciler{Reconciler: r, app: app, stop: stop}
}

func (f *fixture) append(typ, id string, ps ...events.Payload) {
	f.t.Helper()
	if _, err := f.store.Append(f.ctx, events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(typ, id), Expect: events.AnyVersion(), Events: ps,
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) register(slug string, in naming.Region) ids.NetworkID {
	f.t.Helper()
	id := ids.New[ids.NetworkID]()
	f.registerID(id, slug, in)
	return id
}

func (f *fixture) registerID(id ids.NetworkID, slug string, in naming.Region) {
	f.t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	k, err := ids.DaemonKeyOf(pub)
	if err != nil {
		f.t.Fatal(err)
	}
	f.append(network.Type, id.String(), network.Registered{TenantID: ids.New[ids.TenantID](), Slug: naming.Slug(slug),
		Region: in, RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: k})
}

func (f *fixture) report(id ids.NetworkID, addr string) {
	f.append(report.Type, id.String(), report.AddressReported{Address: netip.MustParseAddr(addr)})
}

func (f *fixture) challenge(id ids.NetworkID, values ...string) {
	if len(values) == 0 {
		f.append(report.Type, id.String(), report.ChallengeCleared{})
		return
	}
	f.append(report.Type, id.String(), report.ChallengeSet{Values: values})
}

// account issues an acme-dns account on network id, as /register does, and
// returns its credential id.
func (f *fixture) account(id ids.NetworkID) ids.CredentialID {
	cred := ids.New[ids.CredentialID]()
	f.append(network.Type, id.String(), network.UpdateCredentialIssued{CredentialID: cred, Kind: network.CredentialACMEDNS,
		Username: cred.String(), SecretHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"})
	return cred
}

// accountChallenge sets the values of account cred of network id, as
// acme-dns /update does.
func (f *fixture) accountChallenge(id ids.NetworkID, cred ids.CredentialID, values ...string) {
	f.append(report.Type, id.String(), report.AccountChallengeSet{CredentialID: cred, Values: values})
}

// revoke revokes credential cred of network id, as its owner does.
func (f *fixture) revoke(id ids.NetworkID, cred ids.CredentialID) {
	f.append(network.Type, id.String(), network.UpdateCredentialRevoked{CredentialID: cred})
}

func (f *fixture) deprovision(id ids.NetworkID) {
	f.append(network.Type, id.String(), network.DeprovisioningStarted{Reason: network.ReasonUser})
}

// line renders a record for comparisons.
func line(typ, name, content string, ttl int) string {
	return fmt.Sprintf("%s %s %s %d", typ, name, content, ttl)
}

func aLine(slug, ip string) string {
	typ := "A"
	if strings.Contains(ip, ":") {
		typ = "AAAA"
	}
	return line(typ, slug+"."+parent, ip, dns.AddressTTL)
}

// wildLine is the edge record *.<slug>.<parent> toward ip.
func wildLine(slug, ip string) string {
	typ := "A"
	if strings.Contains(ip, ":") {
		typ = "AAAA"
	}
	return line(typ, "*."+slug+"."+parent, ip, dns.AddressTTL)
}

func txtLine(slug, v string) string {
	return line("TXT", "_acme-challenge."+slug+"."+parent, v, dns.ChallengeTTL)
}

// zone is the fake zone's records, rendered and sorted.
func (f *fixture) zone() []string {
	var out []string
	for _, r := range f.cf.Records(f.cf.ZoneID) {
		s := line(r.Type, r.Name, r.Content, r.TTL)
		if r.Proxied {
			s += " proxied"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// recordID is the id of the one record at the fake rendered as l.
func (f *fixture) recordID(l string) string {
	f.t.Helper()
	var ids []string
	for _, r := range f.cf.Records(f.cf.ZoneID) {
		if line(r.Type, r.Name, r.Content, r.TTL) == l {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) != 1 {
		f.t.Fatalf("%d records %q, want 1", len(ids), l)
	}
	return ids[0]
}

// caughtUp reports whether the projection has applied every event of the
// log and no network is dirty, and how far it is.
func (f *fixture) caughtUp() (bool, string) {
	last, err := f.store.LastSeq(f.ctx)
	if err != nil {
		return false, err.Error()
	}
	var cp uint64
	var dirty int
	err = f.db.Pool.QueryRow(f.ctx, `SELECT checkpoint, (SELECT count(*) FROM `+f.table("dirty")+`) FROM projections WHERE name = $1`,
		dns.ProjectionName(region)).Scan(&cp, &dirty)
	if err != nil {
		return false, err.Error()
	}
	return cp == uint64(last) && dirty == 0, fmt.Sprintf("checkpoint %d, log %d, dirty %d", cp, last, dirty)
}

// converge waits until the zone is exactly want (sorted here), every event
// is applied and nothing is dirty.
func (f *fixture) converge(want ...string) {
	f.t.Helper()
	want = slices.Sorted(slices.Values(want))
	testenv.Eventually(f.t, patience, func() error {
		got := f.zone()
		if up, state := f.caughtUp(); !up || !slices.Equal(got, want) {
			return fmt.Errorf("no convergence: %s\nzone:\n  %s\nwant:\n  %s",
				state, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		return nil
	})
}

// table is a table of the live projection, quoted.
func (f *fixture) table(name string) string {
	return pgx.Identifier{projectors.SchemaName(dns.ProjectionName(region)), name}.Sanitize()
}

// lifecycle is the network's events after its registration, by type.
func (f *fixture) lifecycle(id ids.NetworkID) []string {
	f.t.Helper()
	var out []string
	for rec, err := range f.store.Load(f.ctx, events.MustRef(network.Type, id.String()), 0) {
		if err != nil {
			f.t.Fatal(err)
		}
		if _, ok := rec.Data.(network.Registered); !ok {
			out = append(out, rec.Type)
		}
	}
	return out
}

// hasLifecycle waits until the network's lifecycle events are want.
func (f *fixture) hasLifecycle(id ids.NetworkID, want ...string) {
	f.t.Helper()
	testenv.Eventually(f.t, patience, func() error {
		if got := f.lifecycle(id); !slices.Equal(got, want) {
			return fmt.Errorf("lifecycle of %s: %v, want %v", id, got, want)
		}
		return nil
	})
}

const (
	activated     = "wardnet.network.activated"
	deprovisioned = "wardnet.network.deprovisioned"
	deprovStarted = "wardnet.network.deprovisioning"
)

// put adds a record by hand, behind the reconciler's back.
func (f *fixture) put(typ, name, content string, ttl int) string {
	f.t.Helper()
	rec, err := f.cf.PutRecord(f.cf.ZoneID, cftest.Record{Type: typ, Name: name, Content: content, TTL: ttl})
	if err != nil {
		f.t.Fatal(err)
	}
	return rec.ID
}

// projectorErrors is the projector's count of transient errors it retried
// (Postgres or NATS unavailable).
func (f *fixture) projectorErrors() float64 {
	f.t.Helper()
	mfs, err := f.metrics.Gather()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "wardnet_projector_errors_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	f.t.Fatal("no wardnet_projector_errors_total among the projector's metrics")
	return 0
}

// terminate ends every Postgres session of application app.
func (f *fixture) terminate(app string) int {
	f.t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(f.ctx, `
		SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()`, f.db.Name, app).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
