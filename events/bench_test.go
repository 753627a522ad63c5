package events_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/benchreport"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// benchPayload is the size of a typical domain event.
type benchPayload struct {
	Network string `json:"network"`
	Slug    string `json:"slug"`
	Region  string `json:"region"`
	Address string `json:"address"`
}

func (benchPayload) EventType() string { return "bench.network.reported" }

func benchStore(b *testing.B) (*events.Store, *testenv.NATS) {
	c := events.NewCatalog()
	events.Register[benchPayload](c, 1)
	n := testenv.StartNATS(b)
	return n.Store(b, c), n
}

var payload = benchPayload{Network: "01JABCDEF0123456789", Slug: "home-lab", Region: "eu-central", Address: "203.0.113.7"}

// appender appends to one aggregate, tracking its version.
type appender struct {
	s   *events.Store
	ref events.Ref
	v   events.StreamSeq
}

func (a *appender) append(ctx context.Context, b *testing.B, n int) {
	for i := 0; i < n; i++ {
		r, err := a.s.Append(ctx, events.Meta{}, events.Change{Aggregate: a.ref, Expect: events.ExpectVersion(a.v), Events: []events.Payload{payload}})
		if err != nil {
			b.Fatal(err)
		}
		a.v = r.Versions[0]
	}
}

// rawPublisher publishes the same bytes with only the version header.
type rawPublisher struct {
	js   jetstream.JetStream
	subj string
	last uint64
	data []byte
}

func (p *rawPublisher) publish(ctx context.Context, b *testing.B, n int) {
	for i := 0; i < n; i++ {
		m := nats.NewMsg(p.subj)
		m.Data = p.data
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(p.last, 10))
		ack, err := p.js.PublishMsg(ctx, m)
		if err != nil {
			b.Fatal(err)
		}
		p.last = ack.Sequence
	}
}

const benchRounds, benchChunk = 101, 100

// Single-event append with a version check, against a raw JetStream publish
// carrying the same Nats-Expected-Last-Subject-Sequence header.
func BenchmarkAppendSingle(b *testing.B) {
	s, n := benchStore(b)
	ctx := context.Background()
	run := 0
	for b.Loop() {
		run++
		a := &appender{s: s, ref: events.MustRef("bench", "single"+strconv.Itoa(run))}
		raw := &rawPublisher{js: n.JS, subj: events.MustRef("raw", "single"+strconv.Itoa(run)).Subject(), data: []byte(`{"network":"01JABCDEF0123456789","slug":"home-lab","region":"eu-central","address":"203.0.113.7"}`)}
		a.append(ctx, b, 1000) // warm up both paths
		raw.publish(ctx, b, 1000)
		tt, bt := benchreport.Interleave(benchRounds,
			func() { a.append(ctx, b, benchChunk) },
			func() { raw.publish(ctx, b, benchChunk) })
		target, base := benchreport.PerSecond(benchChunk, tt), benchreport.PerSecond(benchChunk, bt)
		b.ReportMetric(target, "appends/s")
		benchreport.Record("events.append_single", target, "appends/s", base)
	}
}

// 16 writers on distinct aggregates, each waiting for its acks, against 16
// raw publishers doing the same.
func BenchmarkAppendConcurrent16(b *testing.B) {
	s, n := benchStore(b)
	ctx := context.Background()
	const writers = 16
	run := 0
	for b.Loop() {
		run++
		apps := make([]*appender, writers)
		raws := make([]*rawPublisher, writers)
		for w := range writers {
			apps[w] = &appender{s: s, ref: events.MustRef("bench", fmt.Sprintf("c%d_%d", run, w))}
			raws[w] = &rawPublisher{js: n.JS, subj: events.MustRef("raw", fmt.Sprintf("c%d_%d", run, w)).Subject(), data: []byte(`{"network":"01JABCDEF0123456789","slug":"home-lab","region":"eu-central","address":"203.0.113.7"}`)}
		}
		parallel := func(f func(w int)) {
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() { f(w) })
			}
			wg.Wait()
		}
		per := benchChunk / 4
		tt, bt := benchreport.Interleave(benchRounds,
			func() { parallel(func(w int) { apps[w].append(ctx, b, per) }) },
			func() { parallel(func(w int) { raws[w].publish(ctx, b, per) }) })
		target, base := benchreport.PerSecond(per*writers, tt), benchreport.PerSecond(per*writers, bt)
		b.ReportMetric(target, "events/s")
		benchreport.Record("events.append_concurrent16", target, "events/s", base)
	}
}

// One 10-event atomic append against 10 single appends of the same events.
func BenchmarkAppendAtomic10(b *testing.B) {
	s, _ := benchStore(b)
	ctx := context.Background()
	batch := make([]events.Payload, 10)
	for i := range batch {
		batch[i] = payload
	}
	run := 0
	for b.Loop() {
		run++
		atomic := events.MustRef("bench", fmt.Sprintf("atomic%d", run))
		singles := &appender{s: s, ref: events.MustRef("bench", fmt.Sprintf("singles%d", run))}
		var v events.StreamSeq
		const per = 5
		tt, bt := benchreport.Interleave(benchRounds,
			func() {
				for i := 0; i < per; i++ {
					r, err := s.Append(ctx, events.Meta{}, events.Change{Aggregate: atomic, Expect: events.ExpectVersion(v), Events: batch})
					if err != nil {
						b.Fatal(err)
					}
					v = r.Versions[0]
				}
			},
			func() { singles.append(ctx, b, per*10) })
		target, base := benchreport.PerSecond(per*10, tt), benchreport.PerSecond(per*10, bt)
		b.ReportMetric(target, "events/s")
		benchreport.Record("events.append_atomic10", target, "events/s", base)
	}
}
