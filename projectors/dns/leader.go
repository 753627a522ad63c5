package dns

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/errgroup"
)

// errNotLeader is returned (wrapped) by a write that the Reconciler refused
// because its Run no longer holds the lock: another replica may be
// reconciling now.
var errNotLeader = errors.New("dns reconciler: lock lost")

// lead takes the lock and works while it holds it. held reports whether it
// got the lock.
func (r *Reconciler) lead(ctx context.Context) (held bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, r.lockCfg)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx) // the session's end releases the lock
	}()
	if err := r.lock(ctx, conn); err != nil {
		return false, err
	}
	r.lockPID.Store(conn.PgConn().PID())
	r.leader.Store(true)
	defer func() {
		r.leader.Store(false)
		r.lockPID.Store(0)
	}()
	r.log.InfoContext(ctx, "dns reconciler active")
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel(r.name)}.Sanitize()); err != nil {
		return true, fmt.Errorf("listen: %w", err)
	}
	if err := r.ensureSchema(ctx); err != nil {
		return true, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return r.dispatch(gctx, g, conn) })
	g.Go(func() error { r.driftLoop(gctx); return nil })
	err = g.Wait()
	if ctx.Err() != nil {
		return true, nil
	}
	return true, err
}

// lock waits for the advisory lock on conn until it has it or ctx ends.
func (r *Reconciler) lock(ctx context.Context, conn *pgx.Conn) error {
	for {
		_, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, r.lockKey)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available: lock_timeout passed
			continue
		}
		if err != nil {
			return fmt.Errorf("advisory lock: %w", err)
		}
		return nil
	}
}

// dispatch hands due dirty networks, oldest mark first, to at most Workers
// reconciles at a time, each in g, and never the same network twice at
// once. It returns when ctx ends or the lock's session breaks; a worker's
// error (Postgres) ends ctx. conn is used by dispatch alone.
func (r *Reconciler) dispatch(ctx context.Context, g *errgroup.Group, conn *pgx.Conn) error {
	var (
		mu   sync.Mutex
		busy = map[string]bool{} // networks being reconciled
	)
	for ctx.Err() == nil {
		// The lock is the session's: a session that is gone took it along.
		if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
			return fmt.Errorf("lock session: %w", err)
		}
		mu.Lock()
		free := r.cfg.Workers - len(busy)
		exclude := make([]string, 0, len(busy))
		for id := range busy {
			exclude = append(exclude, id)
		}
		mu.Unlock()
		if free > 0 {
			targets, err := r.due(ctx, free, exclude)
			if isUndefinedTable(err) {
				// The projector has not set the projection up yet.
				r.log.DebugContext(ctx, "dns projection not set up yet", "err", err)
				targets, err = nil, nil
			}
			if err != nil {
				return err
			}
			for _, t := range targets {
				mu.Lock()
				busy[t.id] = true
				mu.Unlock()
				g.Go(func() error {
					defer func() {
						mu.Lock()
						delete(busy, t.id)
						mu.Unlock()
						r.Wake() // a free worker: look again
					}()
					return r.reconcileNetwork(ctx, t)
				})
			}
		}
		if err := r.wait(ctx, conn); err != nil {
			return err
		}
	}
	return nil
}

// driftLoop runs DriftCheck every DriftInterval on the Clock, looking at
// the Clock every Poll of real time.
func (r *Reconciler) driftLoop(ctx context.Context) {
	next := r.cfg.Clock.Now().Add(r.cfg.DriftInterval)
	for sleep(ctx, r.cfg.Poll) == nil {
		if r.cfg.Clock.Now().Before(next) {
			continue
		}
		if err := r.DriftCheck(ctx); err != nil && ctx.Err() == nil && !isUndefinedTable(err) {
			r.log.WarnContext(ctx, "drift check failed", "err", err)
		}
		next = r.cfg.Clock.Now().Add(r.cfg.DriftInterval)
	}
}

// wait returns when Apply notifies, Wake is called (a worker finished,
// too), Poll passes or ctx ends; an error means the lock's session is
// broken.
func (r *Reconciler) wait(ctx context.Context, conn *pgx.Conn) error {
	select {
	case <-r.signal:
		return nil
	default:
	}
	wctx, cancel := context.WithTimeout(ctx, r.cfg.Poll)
	defer cancel()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-r.signal:
			cancel()
		case <-stop:
		}
	}()
	err := conn.PgConn().WaitForNotification(wctx)
	close(stop)
	<-done
	if err == nil || ctx.Err() != nil || (wctx.Err() != nil && !conn.IsClosed()) {
		return nil
	}
	return fmt.Errorf("wait for notifications: %w", err)
}

// fence checks, on q (a pool connection or a transaction), that Run still
// holds the lock, before a write to Cloudflare or the clearing of a dirty
// mark: a Run whose lock session broke may still have reconciles under way
// while another replica has taken over, and they must stop writing. It
// returns errNotLeader if not. Outside Run (DriftCheck called directly) it
// checks nothing.
func (r *Reconciler) fence(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) error {
	pid := r.lockPID.Load()
	if pid == 0 {
		return nil
	}
	var held bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = $1 AND granted)`,
		int64(pid)).Scan(&held); err != nil {
		return fmt.Errorf("check the lock: %w", err)
	}
	if !held {
		return errNotLeader
	}
	return nil
}
