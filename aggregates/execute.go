package aggregates

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nuid"

	"github.com/wardnet/wardnet-cloud/events"
)

// DefaultMaxAttempts is how many times Execute decides a command before it
// returns a conflict.
const DefaultMaxAttempts = 5

// Back-off between attempts: from about baseDelay, doubling, up to maxDelay,
// half of it random so that writers that collided do not collide again.
const (
	baseDelay = 2 * time.Millisecond
	maxDelay  = 50 * time.Millisecond
)

// Result is the outcome of a command.
type Result struct {
	// CommandID is the id the command's events are stored under.
	CommandID string
	// Versions holds the new version of each aggregate the command emitted
	// to. It is empty when the command emitted nothing.
	//
	// For a duplicate recognised at load time, it holds the loaded
	// aggregates that hold the command's events, each at the sequence of
	// the command's last event on it.
	Versions map[events.Ref]events.StreamSeq
	// Last is the sequence a read model must have passed to reflect the
	// command; 0 when it emitted nothing. For a duplicate recognised at load
	// time it is the end of the log when it was recognised: an upper bound,
	// as the command's events may lie on aggregates this attempt did not
	// load.
	Last events.StreamSeq
	// Duplicate is true when the command had been stored before and nothing
	// was decided or stored now.
	Duplicate bool
}

// ExecOption configures one Execute.
type ExecOption func(*execConfig)

type execConfig struct {
	maxAttempts int
}

// MaxAttempts sets how many times Execute decides before returning a
// conflict; at least 1.
func MaxAttempts(n int) ExecOption {
	return func(c *execConfig) { c.maxAttempts = max(n, 1) }
}

// Execute runs a command: fn loads aggregates with Get, decides, and emits
// events with tx.Emit. The events are appended atomically, each aggregate
// emitted to expected at its loaded version (new when not loaded). If
// another writer moved one of them, Execute waits briefly, loads again from
// the snapshot and the log, not the cache, and calls fn again, up to
// MaxAttempts (DefaultMaxAttempts) times; then it returns an error matching
// events.ErrConflict.
//
// fn must be deterministic in what it loads and decides, and free of side
// effects: it may run several times. An error from fn is returned unchanged
// (errors.Is works on domain errors) and nothing is stored; if fn emits
// nothing, nothing is stored either.
//
// Every attempt uses meta.CommandID (a fresh NUID when empty). A command
// already stored under that id returns the earlier result with Duplicate
// set; see the package comment for when that is recognised.
func Execute(ctx context.Context, store *events.Store, meta events.Meta, fn func(ctx context.Context, tx *Tx) error, opts ...ExecOption) (Result, error) {
	cfg := execConfig{maxAttempts: DefaultMaxAttempts}
	for _, o := range opts {
		o(&cfg)
	}
	if meta.CommandID == "" {
		meta.CommandID = nuid.Next()
	}
	for attempt := 1; ; attempt++ {
		res, conflict, err := run(ctx, store, meta, fn, attempt > 1)
		if !conflict {
			return res, err
		}
		if attempt >= cfg.maxAttempts {
			return Result{}, fmt.Errorf("execute %s: %d attempts: %w", meta.CommandID, attempt, err)
		}
		if err := pause(ctx, attempt); err != nil {
			return Result{}, fmt.Errorf("execute %s: waiting to retry a conflict: %w", meta.CommandID, err)
		}
	}
}

// run is one attempt. conflict reports that the append conflicted and a
// new attempt may succeed.
func run(ctx context.Context, store *events.Store, meta events.Meta, fn func(context.Context, *Tx) error, fresh bool) (res Result, conflict bool, err error) {
	tx := newTx(store, meta, fresh)
	fnErr := fn(ctx, tx)
	if len(tx.applied) > 0 {
		// Whatever fn made of Get's error, the command was stored before.
		return tx.duplicate(ctx)
	}
	if fnErr != nil {
		return Result{}, false, fnErr
	}
	changes := tx.changes()
	if len(changes) == 0 {
		return Result{CommandID: meta.CommandID}, false, nil
	}
	app, err := store.Append(ctx, meta, changes...)
	if err != nil {
		return Result{}, errors.Is(err, events.ErrConflict), err
	}
	res = Result{CommandID: app.CommandID, Last: app.Last, Duplicate: app.Duplicate, Versions: make(map[events.Ref]events.StreamSeq, len(changes))}
	for i, c := range changes {
		res.Versions[c.Aggregate] = app.Versions[i]
	}
	return res, false, nil
}

func (tx *Tx) duplicate(ctx context.Context) (Result, bool, error) {
	last, err := tx.store.LastSeq(ctx)
	if err != nil {
		return Result{}, false, fmt.Errorf("execute %s: stored before, but: %w", tx.meta.CommandID, err)
	}
	return Result{CommandID: tx.meta.CommandID, Versions: maps.Clone(tx.applied), Last: last, Duplicate: true}, false, nil
}

// pause waits before attempt+1.
func pause(ctx context.Context, attempt int) error {
	d := min(baseDelay<<min(attempt-1, 8), maxDelay) // capped shift: no overflow for large MaxAttempts
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Execute runs a command on the single aggregate id: decide gets its state
// and returns the events to append to it. See the package-level Execute.
func (r *Repository[S]) Execute(ctx context.Context, id string, meta events.Meta, decide func(S) ([]events.Payload, error), opts ...ExecOption) (Result, error) {
	ref, err := r.Ref(id)
	if err != nil {
		return Result{}, err
	}
	return Execute(ctx, r.store, meta, func(ctx context.Context, tx *Tx) error {
		s, err := Get(ctx, tx, r, id)
		if err != nil {
			return err
		}
		ps, err := decide(s)
		if err != nil {
			return err
		}
		tx.Emit(ref, ps...)
		return nil
	}, opts...)
}
