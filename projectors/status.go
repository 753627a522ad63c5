package projectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
)

// State is what ops see of one projection.
type State struct {
	Name       string
	Checkpoint events.StreamSeq // last event the live read model reflects
	StreamLast events.StreamSeq // newest event in the log
	// Lag is how many events of the projection's subjects are not applied
	// yet. For a projection of the whole log it is StreamLast − Checkpoint;
	// for a filtered one the consumer's count, which is smaller.
	Lag       uint64
	AppliedAt time.Time // when a transaction last advanced the checkpoint
	RebuiltAt time.Time // when a rebuilt version last replaced the live one
	// HaltedSeq is the event the projector stopped at (0: not halted), and
	// HaltReason why.
	HaltedSeq  events.StreamSeq
	HaltReason string
	// Rebuild is the latest rebuild, running or finished; nil if none.
	Rebuild *RebuildState
}

// RebuildState is the progress of a projection's rebuild.
type RebuildState struct {
	RequestedAt time.Time
	StartedAt   time.Time // zero until an instance claims it
	FinishedAt  time.Time // zero while it runs
	Owner       string    // the instance building it
	Checkpoint  events.StreamSeq
	Target      events.StreamSeq // the log's last sequence when it started
	Error       string           // why it failed
}

// InProgress reports whether the rebuild is requested or running.
func (r RebuildState) InProgress() bool { return r.FinishedAt.IsZero() }

// Status reports every projection that has run against this database, by
// name.
func Status(ctx context.Context, db DB, js jetstream.JetStream) ([]State, error) {
	rows, err := db.Query(ctx, `
		SELECT p.name, p.checkpoint, p.applied_at, p.rebuilt_at, p.halted_seq, p.halt_reason,
		       r.requested_at, r.started_at, r.finished_at, r.owner, r.checkpoint, r.target, r.error
		FROM projections p LEFT JOIN projection_rebuilds r USING (name)
		ORDER BY p.name`)
	if err != nil {
		return nil, fmt.Errorf("projection status: %w", err)
	}
	states, err := pgx.CollectRows(rows, scanState)
	if err != nil {
		return nil, fmt.Errorf("projection status: %w", err)
	}
	last, err := streamLast(ctx, js)
	if err != nil {
		return nil, err
	}
	for i := range states {
		s := &states[i]
		s.StreamLast = last
		info, err := consumerInfo(ctx, js, ConsumerName(s.Name))
		if err != nil {
			return nil, err
		}
		s.Lag = lag(s.Checkpoint, last, info)
	}
	return states, nil
}

func scanState(row pgx.CollectableRow) (State, error) {
	var (
		s                            State
		applied, rebuilt             *time.Time
		haltedSeq                    *int64
		haltReason, owner, rerr      *string
		requested, started, finished *time.Time
		rcp, rtarget                 *int64
	)
	err := row.Scan(&s.Name, &s.Checkpoint, &applied, &rebuilt, &haltedSeq, &haltReason,
		&requested, &started, &finished, &owner, &rcp, &rtarget, &rerr)
	if err != nil {
		return s, err
	}
	s.AppliedAt, s.RebuiltAt = deref(applied), deref(rebuilt)
	s.HaltedSeq, s.HaltReason = events.StreamSeq(deref(haltedSeq)), deref(haltReason)
	if requested != nil {
		s.Rebuild = &RebuildState{
			RequestedAt: *requested, StartedAt: deref(started), FinishedAt: deref(finished),
			Owner: deref(owner), Checkpoint: events.StreamSeq(deref(rcp)),
			Target: events.StreamSeq(deref(rtarget)), Error: deref(rerr),
		}
	}
	return s, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Lag is how many events of the projection's subjects the live read model
// has not applied yet (see State.Lag). It also refreshes the lag and
// checkpoint metrics.
func (p *Projector) Lag(ctx context.Context) (uint64, error) {
	info, err := consumerInfo(ctx, p.js, p.durable)
	if err != nil {
		return 0, err
	}
	var cp events.StreamSeq
	if err := p.pool.QueryRow(ctx, `SELECT checkpoint FROM projections WHERE name = $1`, p.name).Scan(&cp); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("lag of %s: %w", p.name, err)
	}
	last, err := streamLast(ctx, p.js)
	if err != nil {
		return 0, err
	}
	n := lag(cp, last, info)
	p.m.lag.Set(float64(n))
	p.noteCheckpoint(cp)
	return n, nil
}

// Ready returns a readiness check for /readyz: it fails while Run is not
// running, after the projector halted, or when the lag exceeds maxLag.
func (p *Projector) Ready(maxLag uint64) func(context.Context) error {
	return func(ctx context.Context) error {
		if h := p.halt.Load(); h != nil {
			return h
		}
		if !p.running.Load() {
			return fmt.Errorf("projector %s: %w", p.name, ErrNotRunning)
		}
		if !p.prepared.Load() {
			return fmt.Errorf("projector %s: read model not set up yet: %w", p.name, ErrNotRunning)
		}
		n, err := p.Lag(ctx)
		if err != nil {
			return err
		}
		if n > maxLag {
			return fmt.Errorf("projector %s: %d events behind, more than %d: %w", p.name, n, maxLag, ErrLagging)
		}
		return nil
	}
}

// lag bounds the unapplied events from two sides: the log's tail past the
// checkpoint (exact for an unfiltered projection), and what the consumer
// has not had acknowledged (exact for a filtered one, unless the consumer
// is behind the checkpoint after a crash).
func lag(cp, last events.StreamSeq, info *jetstream.ConsumerInfo) uint64 {
	var n uint64
	if last > cp {
		n = uint64(last - cp)
	}
	if info != nil {
		n = min(n, info.NumPending+uint64(info.NumAckPending))
	}
	return n
}

// consumerInfo returns nil when the consumer does not exist.
func consumerInfo(ctx context.Context, js jetstream.JetStream, name string) (*jetstream.ConsumerInfo, error) {
	c, err := js.Consumer(ctx, events.StreamName, name)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", name, err)
	}
	return c.CachedInfo(), nil
}

func streamLast(ctx context.Context, js jetstream.JetStream) (events.StreamSeq, error) {
	st, err := js.Stream(ctx, events.StreamName)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", events.StreamName, err)
	}
	return events.StreamSeq(st.CachedInfo().State.LastSeq), nil
}
