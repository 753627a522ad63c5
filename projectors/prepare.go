package projectors

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
)

// prepare makes sure the projection's row, schema and consumer exist and
// agree, and returns the consumer. Postgres is the truth: a consumer that
// has acknowledged events the read model lacks is rewound.
func (p *Projector) prepare(ctx context.Context) (jetstream.Consumer, error) {
	// Read the consumer before the checkpoint: acks follow commits, so an
	// ack floor read first can only be at or below the checkpoint read
	// after it, unless Postgres really lost events.
	var prior *jetstream.ConsumerInfo
	if c, err := p.js.Consumer(ctx, events.StreamName, p.durable); err == nil {
		prior = c.CachedInfo()
	} else if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("look up consumer %s: %w", p.durable, err)
	}
	cp, err := p.ensureLive(ctx)
	if err != nil {
		return nil, err
	}
	cons, err := p.js.CreateOrUpdateConsumer(ctx, events.StreamName, p.consumerConfig())
	if err != nil {
		return nil, fmt.Errorf("create consumer %s: %w", p.durable, err)
	}
	rewind := prior == nil && cp > 0 // a new consumer starts at sequence 1
	if prior != nil && prior.AckFloor.Stream > uint64(cp) {
		next, found, err := p.nextMatching(ctx, cp)
		if err != nil {
			return nil, err
		}
		rewind = found && next <= events.StreamSeq(prior.AckFloor.Stream)
		if rewind {
			p.log.WarnContext(ctx, "consumer is past the read model; rewinding", "seq", cp, "ack_floor", prior.AckFloor.Stream)
		}
	}
	if rewind {
		if _, err := p.js.ResetConsumerToSequence(ctx, events.StreamName, p.durable, uint64(cp)+1); err != nil {
			return nil, fmt.Errorf("rewind consumer %s to %d: %w", p.durable, cp+1, err)
		}
	}
	p.noteCheckpoint(cp)
	return cons, nil
}

func (p *Projector) consumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:     p.durable,
		Description: "projection " + p.name,
		// DeliverAll so that a reset may move to any sequence.
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        p.opts.AckWait,
		MaxDeliver:     -1,
		MaxAckPending:  4 * p.opts.MaxBatch,
		FilterSubjects: p.proj.Subjects(),
		ReplayPolicy:   jetstream.ReplayInstantPolicy,
		PriorityGroups: []string{group},
		PriorityPolicy: jetstream.PriorityPolicyPinned,
		PinnedTTL:      p.opts.PinnedTTL,
	}
}

// nextMatching finds the first event after seq that the projection reads.
func (p *Projector) nextMatching(ctx context.Context, after events.StreamSeq) (events.StreamSeq, bool, error) {
	st, err := p.js.Stream(ctx, events.StreamName)
	if err != nil {
		return 0, false, fmt.Errorf("stream %s: %w", events.StreamName, err)
	}
	filters := p.proj.Subjects()
	if len(filters) == 0 {
		filters = []string{events.SubjectPrefix + ">"}
	}
	var best events.StreamSeq
	for _, f := range filters {
		m, err := st.GetMsg(ctx, uint64(after)+1, jetstream.WithGetMsgSubject(f))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return 0, false, fmt.Errorf("next event on %s after %d: %w", f, after, err)
		}
		if s := events.StreamSeq(m.Sequence); best == 0 || s < best {
			best = s
		}
	}
	return best, best != 0, nil
}

// ensureLive creates the projection's row and live schema if missing, drops
// what an interrupted switch left behind, and returns the checkpoint.
func (p *Projector) ensureLive(ctx context.Context) (events.StreamSeq, error) {
	var cp events.StreamSeq
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO projections (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, p.name); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT checkpoint FROM projections WHERE name = $1 FOR NO KEY UPDATE`, p.name).Scan(&cp); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DROP SCHEMA IF EXISTS "+quote(p.schema+oldSuffix)+" CASCADE"); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, p.schema).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return p.migrate(ctx, tx)
		}
		if cp != 0 {
			// The read model was dropped by hand; its checkpoint went with it.
			p.log.WarnContext(ctx, "schema missing; rebuilding from sequence 0", "seq", cp)
			if _, err := tx.Exec(ctx, `UPDATE projections SET checkpoint = 0 WHERE name = $1`, p.name); err != nil {
				return err
			}
			cp = 0
		}
		return p.createSchema(ctx, tx, p.schema)
	})
	if err != nil {
		return 0, fmt.Errorf("prepare %s: %w", p.schema, err)
	}
	return cp, nil
}

// migrate brings the live tables of an earlier build to this one's, when
// the projection has a Migrator.
func (p *Projector) migrate(ctx context.Context, tx pgx.Tx) error {
	m, ok := p.proj.(Migrator)
	if !ok {
		return nil
	}
	return inSchema(ctx, tx, p.schema, func() error {
		if err := m.Migrate(ctx, tx); err != nil {
			return fmt.Errorf("migrate %s: %w", p.schema, err)
		}
		return nil
	})
}

// createSchema creates schema and the projection's tables in it.
func (p *Projector) createSchema(ctx context.Context, tx pgx.Tx, schema string) error {
	if _, err := tx.Exec(ctx, "CREATE SCHEMA "+quote(schema)); err != nil {
		return err
	}
	return inSchema(ctx, tx, schema, func() error {
		if err := p.proj.Setup(ctx, tx); err != nil {
			return fmt.Errorf("setup %s: %w", schema, err)
		}
		return nil
	})
}

// noteCheckpoint records a checkpoint this instance has seen.
func (p *Projector) noteCheckpoint(cp events.StreamSeq) {
	for {
		old := p.stats.checkpoint.Load()
		if uint64(cp) <= old || p.stats.checkpoint.CompareAndSwap(old, uint64(cp)) {
			break
		}
	}
	p.m.checkpoint.Set(float64(p.stats.checkpoint.Load()))
}
