package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// ReconcilerConfig configures a Reconciler. The zero durations are the
// production defaults; tests shorten them.
type ReconcilerConfig struct {
	Config
	// DriftInterval is how often the active Run checks the whole zone
	// (DriftCheck). Default 5m.
	DriftInterval time.Duration
	// DriftCatchUp bounds how long a drift check waits for the projection
	// to reach the log before it deletes records of names it does not
	// know; a projection still behind then leaves them. Default 5s.
	DriftCatchUp time.Duration
	// Poll is how often the active Run looks for due networks when
	// nothing woke it (a notification from Apply, Wake). It also bounds
	// how late a network whose backoff has ended is retried. Default 1s.
	Poll time.Duration
	// Workers is how many networks are reconciled at once. Default 4.
	Workers int
	// BackoffMin and BackoffMax bound a failing network's exponential
	// backoff (with jitter, and never shorter than a Retry-After).
	// Defaults 1s and 5m.
	BackoffMin, BackoffMax time.Duration
	// Clock is the time of backoffs and of the drift schedule; default
	// SystemClock. Waiting for work always uses real time (Poll).
	Clock Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (c *ReconcilerConfig) defaults() {
	c.Config = c.Config.normalized()
	if c.DriftInterval <= 0 {
		c.DriftInterval = 5 * time.Minute
	}
	if c.DriftCatchUp <= 0 {
		c.DriftCatchUp = 5 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = time.Second
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = max(5*time.Minute, c.BackoffMin)
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Reconciler makes Cloudflare equal to the desired records of a region's
// networks (see the package comment). Create one per process with
// NewReconciler and run it with Run; every replica may run one, and one at
// a time works.
type Reconciler struct {
	cfg      ReconcilerConfig
	pool     *pgxpool.Pool
	store    *events.Store
	cf       zone.Zone
	networks *aggregates.Repository[network.State]
	log      *slog.Logger

	name    string          // the projection's name
	proj    string          // its schema, quoted
	own     string          // the reconciler's schema, quoted
	lockKey string          // the advisory lock's name
	lockCfg *pgx.ConnConfig // the dedicated connection that holds it

	// signal (capacity 1) wakes the active Run: Wake and the
	// notifications of Apply send to it without blocking.
	signal chan struct{}

	// lockPID is the backend of the session holding the lock while Run
	// leads, else 0 (see fence).
	lockPID                                                 atomic.Uint32
	leader                                                  atomic.Bool
	reconciles, failures, writes, drifts, orphans, restarts atomic.Uint64
}

// Stats are a Reconciler's counts since it was created.
type Stats struct {
	Reconciles  uint64 // dirty marks handled: Cloudflare matched and the lifecycle decided
	Failures    uint64 // reconciles that failed and were put on backoff
	Writes      uint64 // Cloudflare creates, updates and deletes of reconciles
	DriftChecks uint64 // drift checks done
	Orphans     uint64 // records deleted by drift checks
	Restarts    uint64 // times Run started over: it lost the lock's session or could not take the lock
	Leader      bool   // whether Run holds the lock now
}

// lockTimeout bounds one wait for the advisory lock on the server, so that
// a waiter whose client has gone away (a Run that ended) lets go of its
// place in the queue soon; the waiter then simply asks again.
const lockTimeout = 5 * time.Second

// NewReconciler returns a Reconciler for cfg's region. pool is the
// service's database (the projection NewProjection(cfg.Config) must run on
// it); store must know the network and dns events (network.Register,
// report.Register), as it appends network.activated and
// network.deprovisioned; cf is the DNS zone holding cfg.Zone (in
// production the Cloudflare client of that zone, with the process's budget).
func NewReconciler(pool *pgxpool.Pool, store *events.Store, cf zone.Zone, cfg ReconcilerConfig) (*Reconciler, error) {
	if pool == nil || store == nil || cf == nil {
		return nil, errors.New("dns reconciler: pool, store and DNS zone are required")
	}
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("dns reconciler: %w", err)
	}
	for _, p := range []events.Payload{network.Registered{}, network.Activated{}, network.DeprovisioningStarted{},
		network.Deprovisioned{}, network.UpdateCredentialRevoked{}, report.AddressReported{}, report.ChallengeSet{},
		report.ChallengeCleared{}, report.AccountChallengeSet{}} {
		if _, ok := store.Catalog().Version(p.EventType()); !ok {
			return nil, fmt.Errorf("dns reconciler: the store's catalogue lacks %s (register network and dns events)", p.EventType())
		}
	}
	networks, err := aggregates.NewRepository(store, pool, aggregates.Kind[network.State]{
		Type: network.Type, Initial: network.Initial, Evolve: network.Evolve, StateVersion: network.StateVersion,
	}, aggregates.WithLogger(cfg.Logger))
	if err != nil {
		return nil, fmt.Errorf("dns reconciler: %w", err)
	}
	name := ProjectionName(cfg.Region)
	r := &Reconciler{
		cfg: cfg, pool: pool, store: store, cf: cf, networks: networks,
		log:     cfg.Logger.With(slog.String("projector", name)),
		name:    name,
		proj:    pgx.Identifier{projectors.SchemaName(name)}.Sanitize(),
		own:     pgx.Identifier{name + "_reconciler"}.Sanitize(),
		lockKey: "wardnet.dns.reconciler." + name,
		signal:  make(chan struct{}, 1),
	}
	r.lockCfg = pool.Config().ConnConfig.Copy()
	r.lockCfg.RuntimeParams["lock_timeout"] = fmt.Sprint(lockTimeout.Milliseconds())
	// A cancelled wait for notifications must leave the connection usable
	// and must not send a cancel request that could hit a later statement.
	r.lockCfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	r.lockCfg.OnNotification = func(*pgconn.PgConn, *pgconn.Notification) { r.Wake() }
	return r, nil
}

// Wake makes the active Run look for dirty networks now instead of at its
// next poll. It never blocks; on a standby it does nothing useful.
func (r *Reconciler) Wake() {
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// Stats returns the Reconciler's counts.
func (r *Reconciler) Stats() Stats {
	return Stats{
		Reconciles: r.reconciles.Load(), Failures: r.failures.Load(), Writes: r.writes.Load(),
		DriftChecks: r.drifts.Load(), Orphans: r.orphans.Load(), Restarts: r.restarts.Load(), Leader: r.leader.Load(),
	}
}

// Run reconciles until ctx ends, then returns nil. It first waits for the
// region's advisory lock, so only one Run works at a time; if it loses its
// Postgres session (and so the lock) it stops working, waits a moment and
// competes for the lock again. Other failures are logged and retried;
// Run does not return early.
func (r *Reconciler) Run(ctx context.Context) error {
	delay := restartMin
	for {
		held, err := r.lead(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if held {
			delay = restartMin
		}
		r.restarts.Add(1)
		r.log.WarnContext(ctx, "dns reconciler stopped; starting again", "err", err, "in", delay)
		if sleep(ctx, delay) != nil {
			return nil
		}
		delay = min(2*delay, restartMax)
	}
}

// Bounds of the real-time wait before Run competes for the lock again
// after an error.
const (
	restartMin = 100 * time.Millisecond
	restartMax = 5 * time.Second
)

// backoff is the wait before retrying a network after its n-th failure in
// a row: BackoffMin doubling up to BackoffMax, drawn from [d/2, d].
func (r *Reconciler) backoff(n int) time.Duration {
	d := r.cfg.BackoffMin
	for i := 1; i < n && d < r.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, r.cfg.BackoffMax)
	return d/2 + time.Duration(rand.Float64()*float64(d/2))
}

// isUndefinedTable reports whether err is Postgres's undefined_table.
func isUndefinedTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}

// sleep waits d of real time or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
