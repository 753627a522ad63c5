package projectors_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// deposited is the test event: money into an account.
type deposited struct {
	Amount int `json:"amount"`
}

func (deposited) EventType() string { return "test.account.deposited" }

// noted is an event the ledger does not read (another subject).
type noted struct {
	Text string `json:"text"`
}

func (noted) EventType() string { return "test.note.noted" }

func catalog() *events.Catalog {
	c := events.NewCatalog()
	events.Register[deposited](c, 1)
	events.Register[noted](c, 1)
	return c
}

// ledger records each deposit by sequence, counting applications in n, so
// that a lost event is a missing row and a doubled one has n = 2.
type ledger struct {
	name     string
	subjects []string
}

func newLedger(name string) *ledger { return &ledger{name: name} }

func (l *ledger) Name() string       { return l.name }
func (l *ledger) Subjects() []string { return l.subjects }

func (l *ledger) Setup(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `CREATE TABLE applied (
		seq     bigint PRIMARY KEY,
		n       integer NOT NULL,
		account text NOT NULL,
		tenant  text NOT NULL,
		amount  integer NOT NULL CHECK (amount < 1000000))`)
	return err
}

func (l *ledger) Apply(ctx context.Context, tx pgx.Tx, r events.Record) error {
	d, ok := r.Data.(deposited)
	if !ok {
		return nil
	}
	if d.Amount < 0 {
		return fmt.Errorf("negative deposit: %w", projectors.ErrPoison)
	}
	_, err := tx.Exec(ctx, `INSERT INTO applied (seq, n, account, tenant, amount) VALUES ($1, 1, $2, $3, $4)
		ON CONFLICT (seq) DO UPDATE SET n = applied.n + 1`, int64(r.Seq), r.Aggregate.ID(), r.TenantID, d.Amount)
	return err
}

// batchLedger is the ledger with a multi-row ApplyBatch.
type batchLedger struct{ *ledger }

func (l batchLedger) ApplyBatch(ctx context.Context, tx pgx.Tx, recs []events.Record) error {
	b := &pgx.Batch{}
	for _, r := range recs {
		d, ok := r.Data.(deposited)
		if !ok {
			continue
		}
		b.Queue(`INSERT INTO applied (seq, n, account, tenant, amount) VALUES ($1, 1, $2, $3, $4)
			ON CONFLICT (seq) DO UPDATE SET n = applied.n + 1`, int64(r.Seq), r.Aggregate.ID(), r.TenantID, d.Amount)
	}
	return tx.SendBatch(ctx, b).Close()
}

// env is one test's NATS, event store and database.
type env struct {
	nats  *testenv.NATS
	store *events.Store
	db    *testenv.DB
	reg   *prometheus.Registry

	mu       sync.Mutex
	accounts int
}

func newEnv(t testing.TB) *env {
	t.Helper()
	n := testenv.StartNATS(t)
	return &env{nats: n, store: n.Store(t, catalog()), db: testenv.Postgres(t), reg: prometheus.NewRegistry()}
}

// opts are short timings for tests.
func (e *env) opts(t testing.TB) projectors.Options {
	return projectors.Options{
		MaxBatch:    200,
		AckWait:     4 * time.Second,
		PinnedTTL:   3 * time.Second,
		LagInterval: 50 * time.Millisecond,
		RebuildPoll: 50 * time.Millisecond,
		RetryMin:    10 * time.Millisecond,
		RetryMax:    200 * time.Millisecond,
		Registerer:  e.reg,
		Logger:      slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

func (e *env) projector(t testing.TB, p projectors.Projection, o projectors.Options) *projectors.Projector {
	t.Helper()
	pr, err := projectors.New(e.db.Pool, e.store, p, o)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// deposit appends n deposits of amount 1 in atomic batches of up to 1000,
// each to a new account, and returns the last sequence.
func (e *env) deposit(t testing.TB, n int, tenant string) events.StreamSeq {
	t.Helper()
	var last events.StreamSeq
	for n > 0 {
		k := min(n, events.MaxAppend)
		last = e.appendPayloads(t, tenant, "account", repeat(deposited{Amount: 1}, k))
		n -= k
	}
	return last
}

func (e *env) appendPayloads(t testing.TB, tenant, typ string, ps []events.Payload) events.StreamSeq {
	t.Helper()
	e.mu.Lock()
	e.accounts++
	id := "a" + strconv.Itoa(e.accounts)
	e.mu.Unlock()
	res, err := e.store.Append(ctxT(t), events.Meta{TenantID: tenant, Actor: "user:test"},
		events.Change{Aggregate: events.MustRef(typ, id), Expect: events.ExpectNew(), Events: ps})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return res.Last
}

func repeat(p events.Payload, n int) []events.Payload {
	ps := make([]events.Payload, n)
	for i := range ps {
		ps[i] = p
	}
	return ps
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// run starts p.Run; stop cancels it and returns its error.
func run(t testing.TB, p *projectors.Projector) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func checkpoint(t testing.TB, db *testenv.DB, name string) events.StreamSeq {
	t.Helper()
	var cp events.StreamSeq
	if err := db.Pool.QueryRow(context.Background(), `SELECT checkpoint FROM projections WHERE name = $1`, name).Scan(&cp); err != nil {
		if err == pgx.ErrNoRows {
			return 0
		}
		t.Fatalf("checkpoint %s: %v", name, err)
	}
	return cp
}

func waitCheckpoint(t testing.TB, db *testenv.DB, name string, seq events.StreamSeq) {
	t.Helper()
	testenv.Eventually(t, 90*time.Second, func() error {
		if cp := checkpoint(t, db, name); cp < seq {
			return fmt.Errorf("%s at %d, want %d", name, cp, seq)
		}
		return nil
	})
}

// ledgerCounts summarises a ledger table: rows, applications, the most
// applications of one event.
type ledgerCounts struct{ rows, applications, maxN int }

func counts(t testing.TB, db *testenv.DB, name string) ledgerCounts {
	t.Helper()
	var c ledgerCounts
	q := `SELECT count(*), coalesce(sum(n), 0), coalesce(max(n), 0) FROM ` + pgx.Identifier{projectors.SchemaName(name), "applied"}.Sanitize()
	if err := db.Pool.QueryRow(context.Background(), q).Scan(&c.rows, &c.applications, &c.maxN); err != nil {
		t.Fatalf("count %s: %v", name, err)
	}
	return c
}

// exactlyOnce checks that the ledger holds every one of want events once.
func exactlyOnce(t testing.TB, db *testenv.DB, name string, want int) {
	t.Helper()
	if c := counts(t, db, name); c.rows != want || c.applications != want || c.maxN != 1 {
		t.Fatalf("%s: %d rows, %d applications, max %d per event; want %d once each", name, c.rows, c.applications, c.maxN, want)
	}
}

// gauge reads one projection's gauge from the registry.
func gauge(t testing.TB, reg *prometheus.Registry, name, projection string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "projection" && l.GetValue() == projection {
					if g := m.GetGauge(); g != nil {
						return g.GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("metric %s{projection=%q} not found", name, projection)
	return 0
}
