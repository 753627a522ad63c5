package tenants_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/benchreport"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tenants"
)

// The benchmarks here drive a real tenants service, started in-process on
// its own NATS and database, over HTTP on loopback, as daemons do. Every
// request a benchmark sends is answered before it counts; a refused one
// fails the benchmark.

// benchWorkers is how many requests are in flight at once, in the target
// and in the baseline alike.
const benchWorkers = 16

// POST /v1/token. A b.N unit is one alternation of benchMintRounds rounds
// of benchMintChunk requests each, against as many GET /v1/health.
const (
	benchMintRounds = 21
	benchMintChunk  = 200
	// benchMintKeys is how many daemons take turns minting.
	benchMintKeys = 320
	// benchSkew is how far from the present a daemon's request timestamp
	// may be; the service accepts pop.Window (60 s) either way.
	benchSkew = 50
)

// BenchmarkTokenMintPoP mints daemon tokens (POST /v1/token with a proof of
// possession of an enrolled daemon's key) from benchWorkers concurrent
// clients, against the HTTP floor: GET /v1/health on the same server with
// the same client and concurrency.
//
// Every request is freshly signed and none is a replay. The replay cache
// remembers (key, method, target, timestamp second, body hash), and a
// daemon's body is always the same, so a daemon may sign each second once.
// The daemons take turns (benchMintTicket), each signing with the next
// second it has not used, starting benchSkew seconds in the past: daemons
// whose clocks are up to benchSkew behind or ahead, which the service
// accepts (pop.Window). The service does the same work for any timestamp
// in the window, so a few hundred daemons cost it what a few thousand
// signing at the true second would, without enrolling thousands first.
// Each daemon has 2×benchSkew seconds plus the run's duration to sign:
// 320 daemons, over 32 000 requests, against about 13 000 sent in a run of
// -benchtime 3x. Should they run out, the benchmark fails rather than wait
// for the clock.
func BenchmarkTokenMintPoP(b *testing.B) {
	s := benchStart(b)
	ctx := context.Background()
	daemons := s.enroll(b, benchMintKeys)
	tickets := benchNewMintTicket(len(daemons))
	mint := func(int) error {
		k, ts, err := tickets.next(time.Now())
		if err != nil {
			return err
		}
		_, err = s.mint(ctx, daemons[k], ts)
		return err
	}
	health := func(int) error { return s.health(ctx) }
	// Every daemon mints once, which opens its tenant's trial, and both
	// paths warm their connections and caches.
	benchMust(b, benchFanOut(len(daemons), benchWorkers, mint))
	benchMust(b, benchFanOut(len(daemons), benchWorkers, health))

	for b.Loop() {
		tt, bt := benchreport.Interleave(benchMintRounds,
			func() { benchMust(b, benchFanOut(benchMintChunk, benchWorkers, mint)) },
			func() { benchMust(b, benchFanOut(benchMintChunk, benchWorkers, health)) })
		target, base := benchreport.PerSecond(benchMintChunk, tt), benchreport.PerSecond(benchMintChunk, bt)
		b.ReportMetric(target, "req/s")
		benchreport.Record("tenants.token_mint_pop", target, "req/s", base)
	}
}

// benchMintTicket hands out (daemon, timestamp) pairs that the replay cache
// has not seen: the daemons in turn, each with the next second it has not
// signed, no earlier than benchSkew before now. It is safe for concurrent
// use.
type benchMintTicket struct {
	mu     sync.Mutex
	turn   int
	unused []int64 // per daemon: the first second it has not signed
}

func benchNewMintTicket(daemons int) *benchMintTicket {
	return &benchMintTicket{unused: make([]int64, daemons)}
}

// next returns the daemon to sign with and its timestamp, or an error when
// the daemons have used every second up to benchSkew ahead of now: the
// benchmark would then wait for the clock, and measure that.
func (t *benchMintTicket) next(now time.Time) (int, time.Time, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.turn % len(t.unused)
	t.turn++
	sec := max(t.unused[k], now.Unix()-benchSkew)
	if sec > now.Unix()+benchSkew {
		return 0, time.Time{}, fmt.Errorf("daemon %d has signed every second within %d s of now: raise benchMintKeys", k, benchSkew)
	}
	t.unused[k] = sec + 1
	return k, time.Unix(sec, 0), nil
}

// POST /v1/networks. A b.N unit is one alternation of benchRegisterRounds
// rounds of benchRegisterChunk registrations each, every one by a tenant
// enrolled for it beforehand, against as many appends of the same events.
const (
	benchRegisterRounds = 15
	benchRegisterChunk  = 24
	// benchRegisterAlone registrations are sent one at a time first, for
	// the latency without queueing.
	benchRegisterAlone = 16
)

// BenchmarkRegisterNetwork registers networks end to end (POST /v1/networks
// by an enrolled daemon with its tenant-scoped token, which answers once the
// tenancy read model shows the network) from benchWorkers concurrent
// daemons, each of a fresh tenant since a trial allows one network. The
// tenants, their daemons and tokens are made before the timed rounds.
//
// The baseline is the log write alone: the same five events (captured from
// a registration) appended as one atomic change to four new aggregates
// with events.Store.Append, from as many concurrent writers, on a second
// in-process NATS server so that the service's projectors and process
// managers do not see them. The ratio is the share of a registration's
// throughput left after HTTP, authentication (token and proof of
// possession), the aggregates' loads and decisions, and the wait for the
// read model.
func BenchmarkRegisterNetwork(b *testing.B) {
	s := benchStart(b)
	ctx := context.Background()
	var slugs atomic.Int64
	register := func(d *benchDaemon) error {
		return s.register(ctx, d, fmt.Sprintf("bench-%d", slugs.Add(1)))
	}
	// One registration on its own warms the path and gives the baseline
	// its events.
	first := s.prepareTenants(b, 1)[0]
	before, err := s.store.LastSeq(ctx)
	benchMust(b, err)
	benchMust(b, register(first))
	meta, changes := s.registrationEvents(b, before)
	twin := testenv.StartNATS(b).Store(b, tenants.Catalog())
	var appends atomic.Int64
	appendOne := func(int) error {
		n := appends.Add(1)
		fresh := make([]events.Change, len(changes))
		for i, c := range changes {
			fresh[i] = events.Change{Aggregate: events.MustRef(c.Aggregate.Type(), fmt.Sprintf("%s-%d", c.Aggregate.ID(), n)), Events: c.Events}
		}
		_, err := twin.Append(ctx, meta, fresh...)
		return err
	}

	const perRun = benchRegisterRounds * benchRegisterChunk
	for b.Loop() {
		b.StopTimer()
		daemons := s.prepareTenants(b, benchRegisterAlone+perRun)
		b.StartTimer()
		var (
			next      atomic.Int64
			mu        sync.Mutex
			latencies []time.Duration
		)
		registerTimed := func(int) error {
			d := daemons[next.Add(1)-1]
			start := time.Now()
			if err := register(d); err != nil {
				return err
			}
			took := time.Since(start)
			mu.Lock()
			latencies = append(latencies, took)
			mu.Unlock()
			return nil
		}
		// A few on their own first: the latency of a registration that
		// waits for nothing but itself.
		benchMust(b, benchFanOut(benchRegisterAlone, 1, registerTimed))
		alone := latencies
		latencies = make([]time.Duration, 0, perRun)
		tt, bt := benchreport.Interleave(benchRegisterRounds,
			func() { benchMust(b, benchFanOut(benchRegisterChunk, benchWorkers, registerTimed)) },
			func() { benchMust(b, benchFanOut(benchRegisterChunk, benchWorkers, appendOne)) })
		target, base := benchreport.PerSecond(benchRegisterChunk, tt), benchreport.PerSecond(benchRegisterChunk, bt)
		p50, p99 := benchPercentile(latencies, 0.50), benchPercentile(latencies, 0.99)
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
		b.Logf("register network: %.0f reg/s, latency p50 %s p99 %s over %d at %d in flight (alone: p50 %s, max %s over %d); log write alone %.0f appends/s",
			target, ms(p50), ms(p99), len(latencies), benchWorkers,
			ms(benchPercentile(alone, 0.50)), ms(benchPercentile(alone, 1)), len(alone), base)
		b.ReportMetric(target, "reg/s")
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		benchreport.Record("tenants.register_network", target, "reg/s", base)
	}
}

// prepareTenants enrolls n daemons, each of a new tenant, mints each its
// tenant-scoped token (which opens the tenant's trial), and waits until
// the service's projections have applied all of it, so that the timed
// rounds do not share the machine with this work.
func (s *benchTenants) prepareTenants(b *testing.B, n int) []*benchDaemon {
	b.Helper()
	ctx := context.Background()
	daemons := s.enroll(b, n)
	benchMust(b, benchFanOut(n, benchWorkers, func(i int) error {
		tok, err := s.mint(ctx, daemons[i], time.Now())
		daemons[i].token = tok
		return err
	}))
	s.settle(b)
	return daemons
}

// settle waits until every projection of the service has applied the log
// as it is now.
func (s *benchTenants) settle(b *testing.B) {
	b.Helper()
	ctx := context.Background()
	last, err := s.store.LastSeq(ctx)
	benchMust(b, err)
	testenv.Eventually(b, time.Minute, func() error {
		var applied int64
		benchMust(b, s.db.Pool.QueryRow(ctx, `SELECT min(checkpoint) FROM projections`).Scan(&applied))
		if events.StreamSeq(applied) < last {
			return fmt.Errorf("projections at %d, log at %d", applied, last)
		}
		return nil
	})
}

// registrationEvents reads, from the log after sequence after, the events
// of the one network registration there: its meta and its changes, one
// per aggregate in the order they were appended.
func (s *benchTenants) registrationEvents(b *testing.B, after events.StreamSeq) (events.Meta, []events.Change) {
	b.Helper()
	var records []events.Record
	for r, err := range s.store.Read(context.Background(), events.Query{After: after}) {
		benchMust(b, err)
		records = append(records, r)
	}
	i := slices.IndexFunc(records, func(r events.Record) bool { return r.Type == (network.Registered{}).EventType() })
	if i < 0 {
		b.Fatalf("no %s among %d events after %d", (network.Registered{}).EventType(), len(records), after)
	}
	meta := events.Meta{TenantID: records[i].TenantID, Actor: records[i].Actor}
	var changes []events.Change
	count := 0
	for _, r := range records {
		if r.CorrelationID != records[i].CorrelationID {
			continue
		}
		count++
		if n := len(changes); n > 0 && changes[n-1].Aggregate == r.Aggregate {
			changes[n-1].Events = append(changes[n-1].Events, r.Data)
			continue
		}
		changes = append(changes, events.Change{Aggregate: r.Aggregate, Events: []events.Payload{r.Data}})
	}
	if len(changes) != 4 || count != 5 {
		b.Fatalf("a registration appended %d events to %d aggregates, want 5 to 4", count, len(changes))
	}
	return meta, changes
}

// register is a daemon's POST /v1/networks, with its token and a proof of
// possession signed now.
func (s *benchTenants) register(ctx context.Context, d *benchDaemon, slug string) error {
	body := benchJSON(map[string]string{"slug": slug, "region": "local"})
	var view struct {
		ID string `json:"id"`
	}
	err := s.call(ctx, http.MethodPost, "/v1/networks", body, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+d.token)
		pop.SignRequest(r, d.key, body, time.Now())
	}, &view)
	if err == nil && view.ID == "" {
		err = fmt.Errorf("POST /v1/networks %s: no network id", slug)
	}
	return err
}

// benchTenants is a tenants service running in-process for a benchmark,
// with the HTTP client the benchmark drives it with.
type benchTenants struct {
	base  string // http://127.0.0.1:port
	hc    *http.Client
	nats  *testenv.NATS
	db    *testenv.DB
	store *events.Store // the service's log, for reading
	// clients counts the client addresses and emails handed out, so that
	// every code request has its own (the code limit is per address).
	clients atomic.Int64
}

// benchStart runs a tenants service until the benchmark ends and waits
// until it is ready. It logs errors only, to standard error.
func benchStart(b *testing.B) *benchTenants {
	b.Helper()
	n, db := testenv.StartNATS(b), testenv.Postgres(b)
	errorsOnly := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	svc := servicetest.StartTenants(b, servicetest.TenantsConfig(b, n, db), tenants.WithServiceOptions(host.WithLogger(errorsOnly)))
	tr := &http.Transport{MaxIdleConnsPerHost: 4 * benchWorkers, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections) // before the service stops
	return &benchTenants{
		base:  svc.URL,
		hc:    &http.Client{Transport: tr, Timeout: time.Minute},
		nats:  n,
		db:    db,
		store: events.NewStore(n.JS, tenants.Catalog()),
	}
}

// benchDaemon is an enrolled daemon: its key, its tenant and, once minted,
// its token.
type benchDaemon struct {
	key       ed25519.PrivateKey
	tokenBody []byte // the body of its POST /v1/token, the same every time
	tenant    string
	token     string
}

// enroll enrolls n daemons, each for a new email and so a new tenant,
// through the public API: a verification code (echoed by the development
// mail sender), then POST /v1/enroll.
func (s *benchTenants) enroll(b *testing.B, n int) []*benchDaemon {
	b.Helper()
	ctx := context.Background()
	out := make([]*benchDaemon, n)
	benchMust(b, benchFanOut(n, benchWorkers, func(i int) error {
		d, err := s.enrollOne(ctx)
		out[i] = d
		return err
	}))
	return out
}

func (s *benchTenants) enrollOne(ctx context.Context) (*benchDaemon, error) {
	c := s.clients.Add(1)
	// One address per request from 198.18.0.0/15 (RFC 2544, for
	// benchmarks), sent as X-Forwarded-For, which the service honours from
	// loopback.
	ip := fmt.Sprintf("198.%d.%d.%d", 18+c>>16&1, c>>8&0xff, c&0xff)
	var code struct {
		Code *string `json:"code"`
	}
	req := map[string]string{"email": fmt.Sprintf("bench-%d@example.com", c), "purpose": "enrollment"}
	if err := s.call(ctx, http.MethodPost, "/v1/verification-codes", benchJSON(req), func(r *http.Request) {
		r.Header.Set("X-Forwarded-For", ip)
	}, &code); err != nil {
		return nil, err
	}
	if code.Code == nil {
		return nil, fmt.Errorf("verification code for %s: not echoed", req["email"])
	}
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	wire := tokens.EncodeKey(pub)
	var enrolled struct {
		TenantID string `json:"tenant_id"`
	}
	// From the same address: the code guard reserves an attempt per
	// client while the code is checked, and more than
	// ratelimit.CodeFailures.Max enrollments in flight from one address
	// would be refused, however right their codes.
	if err := s.call(ctx, http.MethodPost, "/v1/enroll", benchJSON(map[string]string{"code": *code.Code, "public_key": wire}), func(r *http.Request) {
		r.Header.Set("X-Forwarded-For", ip)
	}, &enrolled); err != nil {
		return nil, err
	}
	return &benchDaemon{key: key, tokenBody: benchJSON(map[string]string{"public_key": wire}), tenant: enrolled.TenantID}, nil
}

// mint is a daemon's POST /v1/token, signed at at.
func (s *benchTenants) mint(ctx context.Context, d *benchDaemon, at time.Time) (string, error) {
	var resp struct {
		Token string `json:"token"`
	}
	err := s.call(ctx, http.MethodPost, "/v1/token", d.tokenBody, func(r *http.Request) {
		pop.SignRequest(r, d.key, d.tokenBody, at)
	}, &resp)
	if err == nil && resp.Token == "" {
		err = fmt.Errorf("POST /v1/token: no token")
	}
	return resp.Token, err
}

// health is GET /v1/health.
func (s *benchTenants) health(ctx context.Context) error {
	return s.call(ctx, http.MethodGet, "/v1/health", nil, nil, nil)
}

// call sends a request, prepared by prepare when not nil, and decodes a
// 200 answer into out when not nil. Any other status is an error.
func (s *benchTenants) call(ctx context.Context, method, path string, body []byte, prepare func(*http.Request), out any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(req)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body) // to the end, so the connection is reused
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// benchFanOut runs op(0) … op(ops-1) on workers goroutines and returns the
// first error.
func benchFanOut(ops, workers int, op func(i int) error) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= ops {
					return
				}
				if err := op(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(ops)) // the others stop too
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

func benchMust(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func benchJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return data
}

// benchPercentile is the p-th percentile (0 < p ≤ 1) of ds.
func benchPercentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
