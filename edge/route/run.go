package route

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// pullBatch is how many messages the consumer asks for at a time.
const pullBatch = 512

// Pauses between attempts to follow the log again after an error (NATS
// unreachable, stream missing).
const (
	minPause = 50 * time.Millisecond
	maxPause = 5 * time.Second
)

// read are the subject prefixes of the aggregates the table reads; it
// skips every other event without decoding it.
var read = []string{
	events.SubjectPrefix + network.Type + ".",
	events.SubjectPrefix + subscription.Type + ".",
	events.SubjectPrefix + tenant.Type + ".",
}

// Run builds the table from the stream's first event, then follows the
// stream until ctx ends, when it returns nil. The table is built once per
// Table: a node that restarts builds a new one. Errors of NATS are logged
// and retried, from the last event applied. An event the table cannot
// decode stops it with an error matching ErrHalted; the table keeps
// answering from what it had applied.
//
// The consumer reads the whole stream with no subject filter: with one
// subject per aggregate, a consumer with several filters costs nats-server
// work per delivery that makes catching up quadratic (docs/benchmarks.md).
// Events of other aggregates are skipped by their subject.
func (t *Table) Run(ctx context.Context) error {
	if !t.running.CompareAndSwap(false, true) {
		return errors.New("route: Run called twice on one table")
	}
	target := events.StreamSeq(0)
	known := false
	pause := minPause
	for {
		from := t.Seq()
		err := t.follow(ctx, &target, &known)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrHalted) {
			return err
		}
		if t.Seq() > from {
			pause = minPause
		}
		t.log.Warn("route: following the log", "err", err, "seq", t.Seq(), "retry_in", pause)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, maxPause)
	}
}

// follow reads the stream after the last event applied until an error.
// The first time, it learns the stream's last sequence, which the table
// must reach to be ready.
func (t *Table) follow(ctx context.Context, target *events.StreamSeq, known *bool) error {
	js := t.store.JetStream()
	if !*known {
		last, err := t.lastSeq(ctx)
		if err != nil {
			return err
		}
		*target, *known = last, true
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if seq := t.Seq(); seq > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = uint64(seq) + 1
	}
	cons, err := js.OrderedConsumer(ctx, t.stream, cfg)
	if err != nil {
		return fmt.Errorf("route: consumer on %s: %w", t.stream, err)
	}
	// Leave nothing on the server: without this the consumer lingers
	// until its inactivity threshold.
	defer func() {
		if info := cons.CachedInfo(); info != nil {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			_ = js.DeleteConsumer(dctx, t.stream, info.Name)
		}
	}()
	if t.Seq() >= *target {
		t.markReady()
	}
	msgs, err := cons.Messages(jetstream.PullMaxMessages(pullBatch))
	if err != nil {
		return fmt.Errorf("route: read %s: %w", t.stream, err)
	}
	defer msgs.Stop()
	for {
		m, err := msgs.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("route: read %s: %w", t.stream, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("route: read %s: %w", t.stream, err)
		}
		if err := t.handle(m, md); err != nil {
			return err
		}
		if events.StreamSeq(md.Sequence.Stream) >= *target || md.NumPending == 0 {
			t.markReady()
		}
	}
}

// lastSeq is the stream's last sequence now.
func (t *Table) lastSeq(ctx context.Context) (events.StreamSeq, error) {
	st, err := t.store.JetStream().Stream(ctx, t.stream)
	if err != nil {
		return 0, fmt.Errorf("route: stream %s: %w", t.stream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("route: stream %s: %w", t.stream, err)
	}
	return events.StreamSeq(info.State.LastSeq), nil
}

// handle applies one message if it is an event the table reads, and
// tells the subscribers what lapsed.
func (t *Table) handle(m jetstream.Msg, md *jetstream.MsgMetadata) error {
	seq := events.StreamSeq(md.Sequence.Stream)
	if !reads(m.Subject()) {
		t.seq.Store(uint64(seq))
		return nil
	}
	rec, err := t.store.Decode(m.Subject(), seq, md.Timestamp, m.Headers(), m.Data())
	if err != nil {
		t.log.Error("route: cannot decode an event; the table stops following the log", "seq", seq, "err", err)
		return fmt.Errorf("%w at seq %d: %w", ErrHalted, seq, err)
	}
	t.notify(t.apply(rec))
	t.seq.Store(uint64(seq)) // after notify: a reader that sees seq has seen its lapses reported
	return nil
}

func reads(subject string) bool {
	for _, p := range read {
		if strings.HasPrefix(subject, p) {
			return true
		}
	}
	return false
}
