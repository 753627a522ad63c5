package projectors_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/benchreport"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/audit"
)

const catchUpEvents = 100_000

// Projector catch-up over 100 000 events into Postgres (the audit
// projection under a fresh name, from sequence 0 to the end) against a raw
// ordered-consumer read of the same events, timed alternately.
func BenchmarkCatchUp100k(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	tenants := []string{"t1", "t2", "t3", "t4"}
	for i := 0; i < catchUpEvents/events.MaxAppend; i++ {
		e.appendPayloads(b, tenants[i%len(tenants)], "account", repeat(deposited{Amount: i}, events.MaxAppend))
	}
	last, err := e.store.LastSeq(ctx)
	if err != nil || last != catchUpEvents {
		b.Fatalf("populated %d events (%v)", last, err)
	}
	quiet := slog.New(slog.DiscardHandler)

	round := 0
	for b.Loop() {
		round++
		name := "bench" + strconv.Itoa(round)
		project := func() time.Duration { return catchUp(b, e, name, last, quiet) }
		read := func() time.Duration { return rawRead(b, e.nats.JS, last) }
		var tp, tr time.Duration
		if round%2 == 1 {
			tp, tr = project(), read()
		} else {
			tr, tp = read(), project()
		}
		target, base := benchreport.PerSecond(catchUpEvents, tp), benchreport.PerSecond(catchUpEvents, tr)
		b.ReportMetric(target, "events/s")
		benchreport.Record("projectors.catchup_100k", target, "events/s", base)
		dropProjection(b, e, name)
	}
}

// catchUp runs a fresh audit projection until it has applied the log.
func catchUp(b *testing.B, e *env, name string, last events.StreamSeq, log *slog.Logger) time.Duration {
	p, err := projectors.New(e.db.Pool, e.store, audit.Named(name), projectors.Options{Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- p.Run(ctx) }()
	// A 1 ms probe, not testenv.Eventually: its backoff would round the
	// measured time up by as much as 25 ms. A projector that stops ends
	// the wait with its error.
	for p.Stats().Checkpoint < last {
		select {
		case err := <-done:
			cancel()
			b.Fatalf("projector stopped at checkpoint %d of %d: %v", p.Stats().Checkpoint, last, err)
		case <-time.After(time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if s := p.Stats(); s.Applied != uint64(last) {
		b.Fatalf("applied %d of %d", s.Applied, last)
	}
	return elapsed
}

// rawRead reads the whole log with an ordered consumer, decoding nothing.
func rawRead(b *testing.B, js jetstream.JetStream, last events.StreamSeq) time.Duration {
	ctx := context.Background()
	start := time.Now()
	cons, err := js.OrderedConsumer(ctx, events.StreamName, jetstream.OrderedConsumerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		b.Fatal(err)
	}
	defer it.Stop()
	for {
		m, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		md, err := m.Metadata()
		if err != nil {
			b.Fatal(err)
		}
		if events.StreamSeq(md.Sequence.Stream) == last {
			return time.Since(start)
		}
	}
}

func dropProjection(b *testing.B, e *env, name string) {
	ctx := context.Background()
	if _, err := e.db.Pool.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{projectors.SchemaName(name)}.Sanitize()+" CASCADE"); err != nil {
		b.Fatal(err)
	}
	if err := e.nats.JS.DeleteConsumer(ctx, events.StreamName, projectors.ConsumerName(name)); err != nil {
		b.Fatal(err)
	}
}
