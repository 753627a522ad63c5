package dns_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/benchreport"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// The cold start: every network of a region is in the log with an address,
// and neither the projection nor Cloudflare holds anything yet (a new
// region or zone, a projection rebuilt into an empty database, a zone
// restored empty). A b.N unit is one cold start and one baseline run,
// in alternating order.
const (
	// benchColdNetworks is how many networks a cold start publishes unless
	// BENCH_DDNS_NETWORKS says otherwise: the size of a large region.
	benchColdNetworks = 10000
	// benchColdWorkers is the Reconciler's default concurrency, and the
	// baseline's.
	benchColdWorkers = 4
	// benchColdTimeout bounds one cold start or baseline run.
	benchColdTimeout = 10 * time.Minute
)

// BenchmarkColdStartReconcile measures how fast a cold start fills the
// zone: the log holds benchColdNetworks active networks of the region,
// each with one IPv4 address; the DNS projection (from sequence 0 into a
// fresh database) and the Reconciler start together against an empty fake
// Cloudflare, and the clock stops when the zone holds every A record.
// records/s is networks ÷ that time, projection catch-up included.
//
// The baseline is the fake's own ceiling: the same records created
// straight through cloudflare.Client on a fresh, empty fake, from as many
// goroutines as the Reconciler has workers. Both sides run without the
// request ceiling (the fake's WithCeiling off) and with a client budget far
// above anything they reach: with Cloudflare's real 1 200 requests per 5
// minutes (and the client's default budget of 1 000 per 5 minutes) a cold
// start of 10 000 networks would take hours, all of it waiting for the
// budget. The ratio is the share of the fake's create rate that a
// reconcile keeps: each network costs it two lists and a create, plus its
// own Postgres work.
//
// The networks are active already, as after a rebuild or a zone restore,
// so the Reconciler decides no lifecycle event: the log does not change
// and every round reads the same one.
func BenchmarkColdStartReconcile(b *testing.B) {
	n := benchNetworkCount(b)
	ctx := context.Background()
	nt := testenv.StartNATS(b)
	store := benchStore(b, nt)
	specs := benchPopulate(b, store, n)
	last, err := store.LastSeq(ctx)
	benchMust(b, err)
	b.Logf("log: %d networks in %d events", n, last)

	round := 0
	for b.Loop() {
		round++
		cold := func() time.Duration { return benchColdStart(b, nt, store, specs, last) }
		ceiling := func() time.Duration { return benchCeiling(b, specs) }
		var tc, tb time.Duration
		if round%2 == 1 {
			tc, tb = cold(), ceiling()
		} else {
			tb, tc = ceiling(), cold()
		}
		target, base := benchreport.PerSecond(n, tc), benchreport.PerSecond(n, tb)
		b.ReportMetric(target, "records/s")
		benchreport.Record("ddns.cold_reconcile", target, "records/s", base)
	}
}

// benchNetworkCount is BENCH_DDNS_NETWORKS, else benchColdNetworks.
func benchNetworkCount(b *testing.B) int {
	s := os.Getenv("BENCH_DDNS_NETWORKS")
	if s == "" {
		return benchColdNetworks
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		b.Fatalf("BENCH_DDNS_NETWORKS=%q: want a count of networks", s)
	}
	return n
}

func benchStore(b *testing.B, nt *testenv.NATS) *events.Store {
	c := events.NewCatalog()
	network.Register(c)
	report.Register(c)
	return nt.Store(b, c)
}

// benchPopulate appends n active networks of the region, each with one
// public IPv4 address (network.registered and network.activated on the
// network, dns.address_reported on its dns aggregate), as few atomic
// changes as events.MaxAppend allows. It returns the A records the zone
// should end up with.
func benchPopulate(b *testing.B, store *events.Store, n int) []zone.RecordSpec {
	ctx := context.Background()
	pub, _, err := ed25519.GenerateKey(nil)
	benchMust(b, err)
	key, err := ids.DaemonKeyOf(pub) // one daemon key for all: the projection does not read it
	benchMust(b, err)
	const perAppend = events.MaxAppend / 3
	specs := make([]zone.RecordSpec, 0, n)
	var changes []events.Change
	flush := func() {
		if len(changes) == 0 {
			return
		}
		_, err := store.Append(ctx, events.Meta{Actor: "bench"}, changes...)
		benchMust(b, err)
		changes = changes[:0]
	}
	for i := range n {
		id := ids.New[ids.NetworkID]()
		slug := fmt.Sprintf("bench-%06d", i)
		addr := netip.AddrFrom4([4]byte{45, byte(i >> 16), byte(i >> 8), byte(i)})
		changes = append(changes,
			events.Change{Aggregate: events.MustRef(network.Type, id.String()), Events: []events.Payload{
				network.Registered{TenantID: ids.New[ids.TenantID](), Slug: naming.Slug(slug), Region: region,
					RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: key},
				network.Activated{},
			}},
			events.Change{Aggregate: events.MustRef(report.Type, id.String()), Events: []events.Payload{
				report.AddressReported{Address: addr},
			}})
		specs = append(specs, zone.RecordSpec{Type: zone.TypeA, Name: slug + "." + parent,
			Content: addr.String(), TTL: dns.AddressTTL})
		if len(changes)/2 == perAppend {
			flush()
		}
	}
	flush()
	return specs
}

// benchColdStart runs one cold start on a fresh database and an empty
// fake, and returns the time until the zone held every record of specs.
// It checks the zone afterwards: exactly specs, no duplicate.
func benchColdStart(b *testing.B, nt *testenv.NATS, store *events.Store, specs []zone.RecordSpec, last events.StreamSeq) time.Duration {
	b.Helper()
	quiet := slog.New(slog.DiscardHandler)
	db := testenv.Postgres(b)
	// A pool as the service makes one (host.Runtime): pgxpool's
	// default size, max(4, CPUs).
	pc, err := pgxpool.ParseConfig(db.URL)
	benchMust(b, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	benchMust(b, err)
	defer pool.Close()
	cf := benchNewFake(b, len(specs))
	defer cf.close()

	proj, err := projectors.New(pool, store, dns.NewProjection(cfg), projectors.Options{Logger: quiet})
	benchMust(b, err)
	rec, err := dns.NewReconciler(pool, store, cf.client(b), dns.ReconcilerConfig{
		Config: cfg, Workers: benchColdWorkers, Logger: quiet,
	})
	benchMust(b, err)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var projErr, recErr error
	start := time.Now()
	wg.Go(func() { projErr = proj.Run(ctx) })
	wg.Go(func() { recErr = rec.Run(ctx) })
	// When the projection has applied the whole log, for the log.
	caughtUp := make(chan time.Duration, 1)
	wg.Go(func() {
		for proj.Stats().Checkpoint < last {
			if benchSleep(ctx, 2*time.Millisecond) != nil {
				return
			}
		}
		caughtUp <- time.Since(start)
	})
	var elapsed time.Duration
	select {
	case <-cf.done:
		elapsed = time.Since(start)
	case <-time.After(benchColdTimeout):
		cancel()
		wg.Wait()
		b.Fatalf("cold start: %d of %d records after %s; reconciler %+v", cf.writes.Load(), len(specs), benchColdTimeout, rec.Stats())
	}
	cancel()
	wg.Wait()
	if projErr != nil || recErr != nil {
		b.Fatalf("projector: %v; reconciler: %v", projErr, recErr)
	}
	cf.check(b, specs)
	st := rec.Stats()
	projected := "not yet"
	select {
	case d := <-caughtUp:
		projected = d.Round(time.Millisecond).String()
	default:
	}
	lists, writes := cf.counts()
	b.Logf("cold start: %d records in %s (%.0f/s); projection caught up with %d events after %s; "+
		"%d reconciles, %d failures; Cloudflare: %d lists, %d writes (%.2f requests per record)",
		len(specs), elapsed.Round(time.Millisecond), benchreport.PerSecond(len(specs), elapsed), last, projected,
		st.Reconciles, st.Failures, lists, writes, float64(lists+writes)/float64(len(specs)))

	// The next round starts from sequence 0 again.
	err = nt.JS.DeleteConsumer(context.Background(), events.StreamName, projectors.ConsumerName(dns.ProjectionName(region)))
	benchMust(b, err)
	return elapsed
}

// benchCeiling creates specs straight through cloudflare.Client on an
// empty fake, from benchColdWorkers goroutines, and returns the time it
// took.
func benchCeiling(b *testing.B, specs []zone.RecordSpec) time.Duration {
	b.Helper()
	cf := benchNewFake(b, len(specs))
	defer cf.close()
	client := cf.client(b)
	ctx := context.Background()
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	start := time.Now()
	for range benchColdWorkers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(specs); i = int(next.Add(1) - 1) {
				if _, err := client.Create(ctx, specs[i]); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	benchMust(b, first)
	cf.check(b, specs)
	b.Logf("fake ceiling: %d creates in %s (%.0f/s)", len(specs), elapsed.Round(time.Millisecond), benchreport.PerSecond(len(specs), elapsed))
	return elapsed
}

// benchFake is a fake Cloudflare (zone example.net, no request ceiling)
// behind a handler that counts its answered requests and closes done when
// want records have been written.
type benchFake struct {
	fake   *cftest.Fake
	srv    *httptest.Server
	zoneID string
	want   int64
	writes atomic.Int64 // successful creates and updates
	lists  atomic.Int64
	done   chan struct{}
}

const benchToken = "bench-token"

func benchNewFake(b *testing.B, want int) *benchFake {
	b.Helper()
	f := &benchFake{fake: cftest.New(benchToken, cftest.WithCeiling(0, 0)), want: int64(want), done: make(chan struct{})}
	f.zoneID = f.fake.AddZone("example.net")
	f.srv = httptest.NewServer(f)
	return f
}

func (f *benchFake) close() { f.srv.Close() }

// ServeHTTP passes the request to the fake and counts it once answered
// with success.
func (f *benchFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &benchStatus{ResponseWriter: w}
	f.fake.ServeHTTP(sw, r)
	if sw.status != http.StatusOK {
		return
	}
	switch r.Method {
	case http.MethodGet:
		f.lists.Add(1)
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if f.writes.Add(1) == f.want {
			close(f.done)
		}
	}
}

func (f *benchFake) counts() (lists, writes int64) { return f.lists.Load(), f.writes.Load() }

// client is a Cloudflare client of the fake's zone whose budget is far
// above anything a benchmark reaches (see BenchmarkColdStartReconcile).
func (f *benchFake) client(b *testing.B) *cloudflare.Client {
	b.Helper()
	budget, err := cloudflare.NewBudget(cloudflare.BudgetConfig{Requests: 1 << 30, Per: time.Second, Burst: 1 << 20}, nil)
	benchMust(b, err)
	c, err := cloudflare.New(cloudflare.Config{
		ZoneID: f.zoneID, Token: benchToken, BaseURL: f.srv.URL + "/client/v4/",
		Budget: budget, Logger: slog.New(slog.DiscardHandler),
	})
	benchMust(b, err)
	return c
}

// check fails the benchmark unless the zone holds exactly specs.
func (f *benchFake) check(b *testing.B, specs []zone.RecordSpec) {
	b.Helper()
	want := make(map[string]string, len(specs))
	for _, s := range specs {
		want[s.Name] = s.Content
	}
	recs := f.fake.Records(f.zoneID)
	if len(recs) != len(specs) {
		b.Fatalf("the zone holds %d records, want %d", len(recs), len(specs))
	}
	for _, r := range recs {
		if r.Type != "A" || want[r.Name] != r.Content || r.TTL != dns.AddressTTL {
			b.Fatalf("unexpected record %s %s %s %d", r.Type, r.Name, r.Content, r.TTL)
		}
		delete(want, r.Name) // a duplicate name finds nothing the second time
	}
}

// benchStatus remembers the status written.
type benchStatus struct {
	http.ResponseWriter
	status int
}

func (s *benchStatus) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *benchStatus) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func benchSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func benchMust(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
