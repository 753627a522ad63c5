package projectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
)

// DB is what the package-level functions need from Postgres; *pgxpool.Pool,
// *pgx.Conn and pgx.Tx satisfy it.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// errRebuildLost means another instance took the rebuild over.
var errRebuildLost = errors.New("rebuild claimed by another instance")

// RequestRebuild asks the running instances of a projection to rebuild it:
// one of them claims the request within Options.RebuildPoll and builds the
// new version while the live one keeps serving. Status shows the progress.
// A request while a rebuild is running changes nothing.
func RequestRebuild(ctx context.Context, db DB, name string) error {
	_, err := db.Exec(ctx, `
		INSERT INTO projection_rebuilds (name) VALUES ($1)
		ON CONFLICT (name) DO UPDATE SET requested_at = now(), owner = NULL, started_at = NULL,
			heartbeat_at = NULL, checkpoint = 0, target = 0, finished_at = NULL, error = NULL
		WHERE projection_rebuilds.finished_at IS NOT NULL`, name)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" { // foreign key: no such projection
		return fmt.Errorf("request rebuild of %s: %w", name, ErrUnknownProjection)
	}
	if err != nil {
		return fmt.Errorf("request rebuild of %s: %w", name, err)
	}
	return nil
}

// Rebuild builds the projection anew from sequence 0 beside the live
// version and switches it in, while the live version keeps serving and
// applying. It returns when the new version is live, or with
// ErrRebuildInProgress if another instance is rebuilding.
func (p *Projector) Rebuild(ctx context.Context) error {
	if _, err := p.ensureLive(ctx); err != nil {
		return err
	}
	attempt, ok, err := p.claimRebuild(ctx, true)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("rebuild %s: %w", p.name, ErrRebuildInProgress)
	}
	return p.rebuild(ctx, attempt)
}

// claimRebuild takes the projection's open rebuild request, or with create
// makes one, unless another instance holds it. The attempt number fences
// every later write of the rebuild.
func (p *Projector) claimRebuild(ctx context.Context, create bool) (attempt int64, ok bool, err error) {
	lease := p.opts.RebuildLease.Milliseconds()
	var row pgx.Row
	if create {
		row = p.pool.QueryRow(ctx, `
			INSERT INTO projection_rebuilds (name, attempt, owner, started_at, heartbeat_at)
			VALUES ($1, 1, $2, now(), now())
			ON CONFLICT (name) DO UPDATE SET attempt = projection_rebuilds.attempt + 1, owner = $2,
				requested_at = now(), started_at = now(), heartbeat_at = now(), checkpoint = 0,
				target = 0, finished_at = NULL, error = NULL
			WHERE projection_rebuilds.finished_at IS NOT NULL OR projection_rebuilds.owner IS NULL
				OR projection_rebuilds.heartbeat_at < now() - $3 * interval '1 millisecond'
			RETURNING attempt`, p.name, p.opts.Instance, lease)
	} else {
		row = p.pool.QueryRow(ctx, `
			UPDATE projection_rebuilds SET attempt = attempt + 1, owner = $2, started_at = now(),
				heartbeat_at = now(), checkpoint = 0, target = 0, error = NULL
			WHERE name = $1 AND finished_at IS NULL
				AND (owner IS NULL OR heartbeat_at < now() - $3 * interval '1 millisecond')
			RETURNING attempt`, p.name, p.opts.Instance, lease)
	}
	switch err := row.Scan(&attempt); {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("claim rebuild of %s: %w", p.name, err)
	}
	return attempt, true, nil
}

// pollRebuilds claims and runs rebuild requests until ctx ends.
func (p *Projector) pollRebuilds(ctx context.Context) {
	t := time.NewTicker(p.opts.RebuildPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		attempt, ok, err := p.claimRebuild(ctx, false)
		if err != nil {
			if ctx.Err() == nil {
				p.log.DebugContext(ctx, "rebuild poll", "err", err)
			}
			continue
		}
		if !ok {
			continue
		}
		if err := p.rebuild(ctx, attempt); err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "rebuild failed", "attempt", attempt, "err", err)
		}
	}
}

// rebuild builds proj_<name>__next from sequence 0 and switches it in.
func (p *Projector) rebuild(ctx context.Context, attempt int64) (err error) {
	log := p.log.With("attempt", attempt)
	log.InfoContext(ctx, "rebuild started")
	defer func() {
		p.m.rebuildCheckpoint.Set(0)
		p.m.rebuildProgress.Set(0)
		switch {
		case err == nil:
			log.InfoContext(ctx, "rebuild switched in")
		case errors.Is(err, errRebuildLost):
		case ctx.Err() != nil:
			p.endRebuild(ctx, attempt, nil)
		default:
			p.endRebuild(ctx, attempt, err)
		}
	}()
	target, err := streamLast(ctx, p.js)
	if err != nil {
		return err
	}
	next := p.schema + nextSuffix
	err = p.rebuildTx(ctx, attempt, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE projection_rebuilds SET target = $2 WHERE name = $1`, p.name, target); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DROP SCHEMA IF EXISTS "+quote(next)+" CASCADE"); err != nil {
			return err
		}
		return p.createSchema(ctx, tx, next)
	})
	if err != nil {
		return err
	}
	src, err := p.openSource(ctx)
	if err != nil {
		return err
	}
	defer src.it.Stop()
	var cp events.StreamSeq
	for {
		more, err := p.behindLive(ctx, src, cp, nil)
		if err != nil || !more {
			if err != nil {
				return err
			}
			break
		}
		recs, err := src.next(ctx, p.opts.MaxBatch)
		if err != nil {
			return err
		}
		if err := p.rebuildBatch(ctx, attempt, next, recs); err != nil {
			return err
		}
		cp = recs[len(recs)-1].Seq
		p.m.rebuildCheckpoint.Set(float64(cp))
		if target > 0 {
			p.m.rebuildProgress.Set(min(float64(cp)/float64(target), 1))
		}
		if hook := p.opts.rebuildBatch; hook != nil {
			hook(cp)
		}
	}
	return p.switchIn(ctx, attempt, src, cp)
}

// behindLive reports whether the new version (at cp) lacks events the live
// version (at its checkpoint, read with db; the pool when nil) has, and so
// must read on. It reads on only when an event it reads exists up to the
// live checkpoint, so it never waits for events that are not there.
func (p *Projector) behindLive(ctx context.Context, src *source, cp events.StreamSeq, db DB) (bool, error) {
	if db == nil {
		db = p.pool
	}
	var live events.StreamSeq
	if err := db.QueryRow(ctx, `SELECT checkpoint FROM projections WHERE name = $1`, p.name).Scan(&live); err != nil {
		return false, fmt.Errorf("live checkpoint: %w", err)
	}
	if cp >= live {
		return false, nil
	}
	if src.pending > 0 {
		return true, nil
	}
	next, found, err := p.nextMatching(ctx, cp)
	return found && next <= live, err
}

// rebuildBatch applies recs to the new version and records its progress.
func (p *Projector) rebuildBatch(ctx context.Context, attempt int64, next string, recs []events.Record) error {
	return p.rebuildTx(ctx, attempt, func(tx pgx.Tx) error {
		if err := inSchema(ctx, tx, next, func() error { return p.applyTo(ctx, tx, recs, false) }); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE projection_rebuilds SET checkpoint = $2, heartbeat_at = now() WHERE name = $1`,
			p.name, recs[len(recs)-1].Seq)
		return err
	})
}

// switchIn catches the new version up with the live one under the live
// version's row lock and swaps the schemas, carrying the checkpoint over.
func (p *Projector) switchIn(ctx context.Context, attempt int64, src *source, cp events.StreamSeq) error {
	var carry []events.Record // read from src for the switch, kept across retries
	err := p.rebuildTx(ctx, attempt, func(tx pgx.Tx) error {
		var live events.StreamSeq
		if err := tx.QueryRow(ctx, `SELECT checkpoint FROM projections WHERE name = $1 FOR NO KEY UPDATE`, p.name).Scan(&live); err != nil {
			return fmt.Errorf("lock live checkpoint: %w", err)
		}
		have := cp
		if len(carry) > 0 {
			have = carry[len(carry)-1].Seq
		}
		for {
			more, err := p.behindLive(ctx, src, have, tx)
			if err != nil {
				return err
			}
			if !more {
				break
			}
			recs, err := src.next(ctx, p.opts.MaxBatch)
			if err != nil {
				return err
			}
			carry = append(carry, recs...)
			have = recs[len(recs)-1].Seq
		}
		if len(carry) > 0 {
			if err := inSchema(ctx, tx, p.schema+nextSuffix, func() error { return p.applyTo(ctx, tx, carry, false) }); err != nil {
				return err
			}
		}
		return p.swapSchemas(ctx, tx, max(live, have))
	})
	if err != nil {
		return err
	}
	if _, err := p.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+quote(p.schema+oldSuffix)+" CASCADE"); err != nil {
		// The next start drops it; the switch itself is done.
		p.log.WarnContext(ctx, "drop replaced schema", "err", err)
	}
	return nil
}

// swapSchemas puts the new version in the live one's place. Renaming a
// schema locks none of its tables: readers of the old version finish on it,
// later statements resolve to the new one.
func (p *Projector) swapSchemas(ctx context.Context, tx pgx.Tx, checkpoint events.StreamSeq) error {
	stmts := []string{
		"ALTER SCHEMA " + quote(p.schema) + " RENAME TO " + quote(p.schema+oldSuffix),
		"ALTER SCHEMA " + quote(p.schema+nextSuffix) + " RENAME TO " + quote(p.schema),
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE projections SET checkpoint = $2, rebuilt_at = now() WHERE name = $1`, p.name, checkpoint); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE projection_rebuilds SET checkpoint = $2, finished_at = now(), owner = NULL, error = NULL WHERE name = $1`,
		p.name, checkpoint)
	return err
}

// rebuildTx runs fn in a transaction that holds the rebuild's row, after
// checking that the rebuild still belongs to this attempt. Transient
// failures are retried with backoff.
func (p *Projector) rebuildTx(ctx context.Context, attempt int64, fn func(pgx.Tx) error) error {
	bo := newBackoff(p.opts)
	for {
		err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
			var current int64
			var open bool
			if err := tx.QueryRow(ctx, `SELECT attempt, finished_at IS NULL FROM projection_rebuilds WHERE name = $1 FOR UPDATE`,
				p.name).Scan(&current, &open); err != nil {
				return fmt.Errorf("lock rebuild: %w", err)
			}
			if current != attempt || !open {
				return errRebuildLost
			}
			return fn(tx)
		})
		if err == nil || errors.Is(err, errRebuildLost) || permanent(err) || ctx.Err() != nil {
			return err
		}
		var de *decodeError
		if errors.As(err, &de) {
			return err
		}
		p.m.failures.Inc()
		p.log.WarnContext(ctx, "rebuild step failed; retrying", "attempt", attempt, "err", err)
		if err := bo.wait(ctx); err != nil {
			return err
		}
	}
}

// endRebuild closes a failed attempt (cause != nil: it is recorded and not
// retried) or releases an interrupted one for another instance.
func (p *Projector) endRebuild(ctx context.Context, attempt int64, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var err error
	if cause == nil {
		_, err = p.pool.Exec(ctx, `UPDATE projection_rebuilds SET owner = NULL WHERE name = $1 AND attempt = $2 AND finished_at IS NULL`,
			p.name, attempt)
	} else {
		_, err = p.pool.Exec(ctx, `UPDATE projection_rebuilds SET owner = NULL, finished_at = now(), error = $3 WHERE name = $1 AND attempt = $2`,
			p.name, attempt, cause.Error())
		if err == nil {
			_, err = p.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+quote(p.schema+nextSuffix)+" CASCADE")
		}
	}
	if err != nil {
		p.log.WarnContext(ctx, "could not close the rebuild", "attempt", attempt, "err", err)
	}
}

// source reads the log in order for a rebuild.
type source struct {
	it      jetstream.MessagesContext
	pending uint64 // events after the last one read, as the server last said
	dec     decoder
}

// decodeError is an event a rebuild cannot decode; retrying cannot help.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

func (p *Projector) openSource(ctx context.Context) (*source, error) {
	cons, err := p.js.OrderedConsumer(ctx, events.StreamName, jetstream.OrderedConsumerConfig{
		FilterSubjects: p.proj.Subjects(),
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("rebuild source: %w", err)
	}
	s := &source{dec: p.dec}
	if info := cons.CachedInfo(); info != nil {
		s.pending = info.NumPending
	}
	if s.it, err = cons.Messages(jetstream.PullMaxMessages(p.opts.MaxBatch)); err != nil {
		return nil, fmt.Errorf("rebuild source: %w", err)
	}
	return s, nil
}

// next reads at least one event (waiting for it) and then what is ready, up
// to max.
func (s *source) next(ctx context.Context, max int) ([]events.Record, error) {
	var recs []events.Record
	for len(recs) < max {
		m, err := s.it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("rebuild read: %w", err)
		}
		md, err := m.Metadata()
		if err != nil {
			return nil, fmt.Errorf("rebuild read: %w", err)
		}
		rec, err := s.dec.decode(m.Subject(), md.Sequence.Stream, md.Timestamp, m.Headers(), m.Data())
		if err != nil {
			return nil, &decodeError{err}
		}
		recs = append(recs, rec)
		s.pending = md.NumPending
		if s.pending == 0 {
			break
		}
	}
	return recs, nil
}
