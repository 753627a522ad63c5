package projectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/wardnet/wardnet-cloud/events"
)

// Projector runs one projection: its live consumer, its rebuilds and its
// lag metric. Several Projectors with the same projection may run, in one
// process or many; one applies, the others stand by.
type Projector struct {
	proj    Projection
	batch   BatchApplier // nil unless proj implements it
	dec     decoder
	name    string
	schema  string
	durable string
	pool    *pgxpool.Pool
	js      jetstream.JetStream
	opts    Options
	log     *slog.Logger
	m       *metrics

	running  atomic.Bool
	prepared atomic.Bool // the read model's tables exist: set by the first successful prepare
	halt     atomic.Pointer[HaltError]
	stats    struct{ applied, skipped, resets, checkpoint atomic.Uint64 }

	pinMu sync.Mutex
	pin   string // the pin id of the last message this instance received
}

// Stats are one instance's counts since it was created.
type Stats struct {
	Applied uint64 // events this instance applied
	Skipped uint64 // redelivered events this instance found below the checkpoint
	Resets  uint64 // consumer resets this instance made
	// Checkpoint is the highest checkpoint this instance has committed or
	// seen in its transactions.
	Checkpoint events.StreamSeq
}

// New returns a Projector for proj, reading the log through store and
// keeping its read model in pool's database. The schema migrations must be
// applied.
func New(pool *pgxpool.Pool, store *events.Store, proj Projection, opts Options) (*Projector, error) {
	name := proj.Name()
	if err := checkName(name); err != nil {
		return nil, err
	}
	for _, s := range proj.Subjects() {
		if len(s) < len(events.SubjectPrefix) || s[:len(events.SubjectPrefix)] != events.SubjectPrefix {
			return nil, fmt.Errorf("projectors: %s: subject %q is not under %s", name, s, events.SubjectPrefix)
		}
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer, name)
	if err != nil {
		return nil, err
	}
	p := &Projector{
		proj:    proj,
		name:    name,
		schema:  SchemaName(name),
		durable: ConsumerName(name),
		pool:    pool,
		js:      store.JetStream(),
		opts:    opts,
		log:     opts.Logger.With("projector", name),
		m:       m,
	}
	p.batch, _ = proj.(BatchApplier)
	eo, ok := proj.(EnvelopeOnly)
	p.dec = decoder{store: store, envelopeOnly: ok && eo.EnvelopeOnly()}
	return p, nil
}

// Name is the projection's name.
func (p *Projector) Name() string { return p.name }

// Stats returns this instance's counts.
func (p *Projector) Stats() Stats {
	return Stats{
		Applied:    p.stats.applied.Load(),
		Skipped:    p.stats.skipped.Load(),
		Resets:     p.stats.resets.Load(),
		Checkpoint: events.StreamSeq(p.stats.checkpoint.Load()),
	}
}

// Run applies events until ctx ends, then hands the pin to a standby and
// returns nil. It also serves rebuild requests and refreshes the lag
// metric. It retries transient failures itself; it returns early only with
// a *HaltError (an event it cannot apply) or another error that leaves it
// unable to continue.
func (p *Projector) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return fmt.Errorf("projectors: %s: Run is already running", p.name)
	}
	defer p.running.Store(false)
	defer p.prepared.Store(false)
	p.halt.Store(nil)
	p.m.halted.Set(0)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.consumeLoop(gctx) })
	g.Go(func() error { p.pollLag(gctx); return nil })
	g.Go(func() error { p.pollRebuilds(gctx); return nil })
	return g.Wait()
}

// Serve is Run for a projector inside a service: a halt does not end it.
// The halted projector keeps its reason in Ready, the halted metric and
// the projections table, and Serve waits for ctx, so the rest of the
// service keeps running and the halt does not become a crash loop.
// Errors other than a halt are returned as from Run.
func (p *Projector) Serve(ctx context.Context) error {
	err := p.Run(ctx)
	var h *HaltError
	if !errors.As(err, &h) {
		return err
	}
	p.opts.Logger.ErrorContext(ctx, "projection halted; the service stays up and not ready until a build that can apply the event runs",
		"projector", p.name, "seq", uint64(h.Seq), "err", h.Err)
	<-ctx.Done()
	return nil
}

// consumeLoop runs consume sessions, resetting the consumer between them
// when the delivery order can no longer be trusted, until ctx ends or a
// session halts.
func (p *Projector) consumeLoop(ctx context.Context) error {
	bo := newBackoff(p.opts)
	var (
		cons   jetstream.Consumer
		expect uint64 // first delivery sequence to trust; 0 until this instance resets
	)
	for {
		if ctx.Err() != nil {
			p.handOver()
			return nil
		}
		var err error
		if cons == nil {
			if cons, err = p.prepare(ctx); permanent(err) {
				return err // a broken Setup: retrying cannot help
			}
			if err == nil {
				p.prepared.Store(true)
			}
		}
		if err == nil {
			var progressed bool
			progressed, err = p.consume(ctx, cons, expect)
			if progressed {
				bo.reset()
			}
		}
		expect = 0
		switch {
		case ctx.Err() != nil:
			continue
		case errors.Is(err, errReorder):
			if err = p.resetConsumer(ctx); err == nil {
				expect = 1 // a reset restarts delivery sequences at 1
				continue
			}
		case errors.Is(err, ErrHalted):
			p.handOver()
			return err
		case errors.Is(err, errStop):
			return err
		case errors.Is(err, errReprepare), errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrConsumerDeleted):
			cons = nil
		}
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			continue
		}
		p.m.failures.Inc()
		p.log.WarnContext(ctx, "projector retrying", "err", err)
		_ = bo.wait(ctx)
	}
}

var (
	// errReorder ends a session whose deliveries can no longer be trusted
	// to arrive in stream order.
	errReorder = errors.New("delivery order lost")
	// errReprepare ends a session whose projection row or consumer went away.
	errReprepare = errors.New("projection state missing")
	// errStop wraps an error from the afterCommit test hook.
	errStop = errors.New("stopped by hook")
)

// resetConsumer rewinds delivery to the ack floor + 1 and forgets
// everything pending, so that what follows arrives in stream order.
func (p *Projector) resetConsumer(ctx context.Context) error {
	if _, err := p.js.ResetConsumer(ctx, events.StreamName, p.durable); err != nil {
		return fmt.Errorf("reset consumer %s: %w", p.durable, err)
	}
	p.stats.resets.Add(1)
	p.m.resets.Inc()
	return nil
}

// handOver lets a standby take over now rather than after PinnedTTL and
// AckWait, if this instance holds the pin: it resets the consumer, so that
// what this instance was delivered but did not acknowledge is delivered
// again at once, and unpins itself.
func (p *Projector) handOver() {
	p.pinMu.Lock()
	pin := p.pin
	p.pinMu.Unlock()
	if pin == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := p.js.Stream(ctx, events.StreamName)
	if err != nil {
		p.log.Debug("hand over", "err", err)
		return
	}
	cons, err := st.Consumer(ctx, p.durable)
	if err != nil {
		p.log.Debug("hand over", "err", err)
		return
	}
	for _, g := range cons.CachedInfo().PriorityGroups {
		if g.Group != group || g.PinnedClientID != pin {
			continue
		}
		if err := p.resetConsumer(ctx); err != nil {
			p.log.Debug("hand over", "err", err)
		}
		if err := st.UnpinConsumer(ctx, p.durable, group); err != nil {
			p.log.Debug("hand over", "err", err)
		}
	}
}

func (p *Projector) setPin(pin string) {
	if pin == "" {
		return
	}
	p.pinMu.Lock()
	p.pin = pin
	p.pinMu.Unlock()
}

// pollLag refreshes the lag and checkpoint gauges until ctx ends.
func (p *Projector) pollLag(ctx context.Context) {
	t := time.NewTicker(p.opts.LagInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := p.Lag(ctx); err != nil && ctx.Err() == nil {
			p.log.DebugContext(ctx, "lag", "err", err)
		}
	}
}
