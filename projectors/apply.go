package projectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/events"
)

// applyResult is the outcome of one apply transaction.
type applyResult struct {
	// done is how many deliveries of the batch, from the start, are
	// committed or skipped and may be acknowledged.
	done int
	// checkpoint is the projection's checkpoint after the transaction.
	checkpoint events.StreamSeq
	// halt is set when batch[done] cannot be applied.
	halt *HaltError
}

// applyError locates a failed Apply in the batch.
type applyError struct {
	index   int // in the batch of deliveries
	seq     events.StreamSeq
	batched bool // ApplyBatch failed: the event is somewhere from index on
	err     error
}

func (e *applyError) Error() string { return fmt.Sprintf("apply seq %d: %v", e.seq, e.err) }
func (e *applyError) Unwrap() error { return e.err }

// applyRetrying applies a batch, retrying transient failures with backoff.
// When an event cannot be applied it commits the events before it and
// reports the event in the result.
func (p *Projector) applyRetrying(ctx context.Context, batch []delivery) (applyResult, error) {
	bo := newBackoff(p.opts)
	var (
		limit  = len(batch) // deliveries to apply: the prefix before a poisoned event
		single bool         // apply event by event, to find which one fails
		poison *HaltError
	)
	for {
		res, err := p.applyTx(ctx, batch[:limit], single)
		if err == nil {
			if poison != nil {
				res.halt = poison
			}
			return res, nil
		}
		var ae *applyError
		switch {
		case errors.As(err, &ae) && permanent(ae.err) && ae.batched && !single:
			single = true
			continue
		case errors.As(err, &ae) && permanent(ae.err):
			poison = &HaltError{Projection: p.name, Seq: ae.seq, Err: ae.err}
			limit, single = ae.index, false
			continue
		case errors.Is(err, errReprepare), ctx.Err() != nil:
			return applyResult{}, err
		}
		p.m.failures.Inc()
		p.log.WarnContext(ctx, "apply failed; retrying", "seq", batch[0].seq, "err", err)
		if err := bo.wait(ctx); err != nil {
			return applyResult{}, err
		}
	}
}

// applyTx applies the deliveries above the checkpoint in one transaction
// under the projection's row lock, and advances the checkpoint.
func (p *Projector) applyTx(ctx context.Context, batch []delivery, single bool) (applyResult, error) {
	res := applyResult{done: len(batch), checkpoint: events.StreamSeq(p.stats.checkpoint.Load())}
	if len(batch) == 0 {
		return res, nil
	}
	start := time.Now()
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var cp events.StreamSeq
	if err := tx.QueryRow(ctx, `SELECT checkpoint FROM projections WHERE name = $1 FOR NO KEY UPDATE`, p.name).Scan(&cp); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return res, errReprepare
		}
		return res, fmt.Errorf("lock checkpoint: %w", err)
	}
	recs, index, halt := p.selectNew(batch, cp)
	if halt != nil {
		res.done, res.halt = index[len(index)-1], halt
		index = index[:len(index)-1]
	}
	res.checkpoint = cp
	if len(recs) > 0 {
		res.checkpoint = recs[len(recs)-1].Seq
		if _, err := tx.Exec(ctx, `UPDATE projections SET checkpoint = $2, applied_at = now(), halted_seq = NULL, halt_reason = NULL WHERE name = $1`,
			p.name, res.checkpoint); err != nil {
			return res, fmt.Errorf("advance checkpoint: %w", err)
		}
		err := inSchema(ctx, tx, p.schema, func() error { return p.applyTo(ctx, tx, recs, single) })
		if err != nil {
			var ae *applyError
			if errors.As(err, &ae) {
				ae.index = index[ae.index]
			}
			return res, err
		}
		// A commit that ctx interrupted may still have happened, and this
		// instance's counts would then miss it; let it finish.
		if err := tx.Commit(context.WithoutCancel(ctx)); err != nil {
			return res, fmt.Errorf("commit: %w", err)
		}
		p.m.applySeconds.Observe(time.Since(start).Seconds())
	}
	skipped := res.done - len(recs)
	p.stats.applied.Add(uint64(len(recs)))
	p.stats.skipped.Add(uint64(skipped))
	p.m.applied.Add(float64(len(recs)))
	p.m.skipped.Add(float64(skipped))
	p.noteCheckpoint(res.checkpoint)
	return res, nil
}

// selectNew decodes the deliveries that are above the checkpoint and above
// every earlier delivery of the batch (a redelivery may repeat one), in
// order. index[i] is recs[i]'s position in the batch. If one cannot be
// decoded it stops there: halt is set and index has one more entry, the
// position of that delivery.
func (p *Projector) selectNew(batch []delivery, cp events.StreamSeq) (recs []events.Record, index []int, halt *HaltError) {
	hi := uint64(cp)
	for i, d := range batch {
		if d.seq <= hi {
			continue
		}
		m := d.msg
		rec, err := p.dec.decode(m.Subject(), d.seq, d.stored, m.Headers(), m.Data())
		if err != nil {
			return recs, append(index, i), &HaltError{Projection: p.name, Seq: events.StreamSeq(d.seq), Err: err}
		}
		recs, index = append(recs, rec), append(index, i)
		hi = d.seq
	}
	return recs, index, nil
}

// applyTo applies recs with ApplyBatch when available and not single, else
// event by event. An *applyError's index is the failing record's in recs.
func (p *Projector) applyTo(ctx context.Context, tx pgx.Tx, recs []events.Record, single bool) error {
	if p.batch != nil && !single {
		if err := p.batch.ApplyBatch(ctx, tx, recs); err != nil {
			return &applyError{index: 0, seq: recs[0].Seq, batched: true, err: err}
		}
		return nil
	}
	for i, r := range recs {
		if err := p.proj.Apply(ctx, tx, r); err != nil {
			return &applyError{index: i, seq: r.Seq, err: err}
		}
	}
	return nil
}

// halted records that the projector stopped at an event.
func (p *Projector) halted(ctx context.Context, he *HaltError) {
	p.halt.Store(he)
	p.m.halted.Set(1)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := p.pool.Exec(ctx, `UPDATE projections SET halted_seq = $2, halt_reason = $3 WHERE name = $1`,
		p.name, he.Seq, he.Err.Error()); err != nil {
		p.log.WarnContext(ctx, "could not record the halt", "seq", he.Seq, "err", err)
	}
}
