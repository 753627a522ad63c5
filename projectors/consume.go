package projectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// delivery is one message with the metadata the runtime needs.
type delivery struct {
	msg    jetstream.Msg
	seq    uint64    // stream sequence
	stored time.Time // the stream's timestamp: the event's time
}

var errSubscriptionClosed = errors.New("subscription closed")

// consume runs one subscription: it applies batches while every delivery
// continues the delivery sequence from expect (0: trust nothing yet). It
// returns errReorder when it meets a delivery it cannot trust, after
// applying the batch before it, and whether it committed anything.
func (p *Projector) consume(ctx context.Context, cons jetstream.Consumer, expect uint64) (bool, error) {
	ch := make(chan jetstream.Msg, p.opts.MaxBatch)
	done := make(chan struct{})
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case ch <- m:
		case <-done:
		}
	},
		jetstream.PullMaxMessages(p.opts.MaxBatch),
		jetstream.PullPriorityGroup(group),
		jetstream.PullExpiry(p.opts.pullExpiry()),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			p.log.Debug("consume", "err", err)
		}),
	)
	if err != nil {
		return false, fmt.Errorf("consume %s: %w", p.durable, err)
	}
	defer func() {
		close(done)
		cc.Stop()
		<-cc.Closed()
	}()

	progressed := false
	for {
		var first jetstream.Msg
		select {
		case <-ctx.Done():
			return progressed, ctx.Err()
		case <-cc.Closed():
			return progressed, errSubscriptionClosed
		case first = <-ch:
		}
		batch, trusted, err := p.gather(first, ch, &expect)
		if err != nil {
			return progressed, err
		}
		if len(batch) > 0 {
			if err := p.commitAndAck(ctx, batch); err != nil {
				return progressed, err
			}
			progressed = true
		}
		if !trusted {
			return progressed, errReorder
		}
	}
}

// gather takes first and whatever else is ready, up to MaxBatch, and keeps
// the prefix whose delivery sequences continue from *expect. trusted is
// false when it stopped at a delivery that did not.
func (p *Projector) gather(first jetstream.Msg, ch <-chan jetstream.Msg, expect *uint64) (batch []delivery, trusted bool, err error) {
	batch = make([]delivery, 0, min(p.opts.MaxBatch, len(ch)+1))
	m := first
	for {
		md, err := m.Metadata()
		if err != nil {
			return nil, false, fmt.Errorf("message metadata: %w", err)
		}
		p.setPin(m.Headers().Get("Nats-Pin-Id"))
		if *expect == 0 || md.Sequence.Consumer != *expect {
			return batch, false, nil
		}
		*expect++
		batch = append(batch, delivery{msg: m, seq: md.Sequence.Stream, stored: md.Timestamp})
		if len(batch) == p.opts.MaxBatch {
			return batch, true, nil
		}
		select {
		case m = <-ch:
		default:
			return batch, true, nil
		}
	}
}

// commitAndAck applies a batch and acknowledges what it committed or
// skipped. If an event in it cannot be applied, it commits the events
// before it and returns the *HaltError.
func (p *Projector) commitAndAck(ctx context.Context, batch []delivery) error {
	res, err := p.applyRetrying(ctx, batch)
	if err != nil {
		return err
	}
	if hook := p.opts.afterCommit; hook != nil {
		if err := hook(res.checkpoint); err != nil {
			return fmt.Errorf("%w: %w", errStop, err)
		}
	}
	for _, d := range batch[:res.done] {
		// A lost ack only means a redelivery, which the checkpoint filters.
		_ = d.msg.Ack()
	}
	if res.halt != nil {
		p.halted(ctx, res.halt)
		return res.halt
	}
	return nil
}
