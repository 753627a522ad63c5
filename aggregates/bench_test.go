package aggregates_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/benchreport"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// A network-like aggregate: a few fields and a small map, with events the
// size of typical domain events.

type benchRegistered struct {
	Tenant string `json:"tenant"`
	Slug   string `json:"slug"`
	Region string `json:"region"`
}

func (benchRegistered) EventType() string { return "bench.network.registered" }

type benchReported struct {
	Daemon  string `json:"daemon"`
	Address string `json:"address"`
}

func (benchReported) EventType() string { return "bench.network.address_reported" }

type benchNetwork struct {
	Tenant    string            `json:"tenant"`
	Slug      string            `json:"slug"`
	Region    string            `json:"region"`
	Reports   int               `json:"reports"`
	Addresses map[string]string `json:"addresses"` // daemon → last address
}

var benchKind = aggregates.Kind[benchNetwork]{
	Type:         "benchnet",
	Initial:      func() benchNetwork { return benchNetwork{Addresses: map[string]string{}} },
	StateVersion: 1,
	Evolve: func(s benchNetwork, rec events.Record) benchNetwork {
		switch e := rec.Data.(type) {
		case benchRegistered:
			s.Tenant, s.Slug, s.Region = e.Tenant, e.Slug, e.Region
		case benchReported:
			s.Reports++
			s.Addresses[e.Daemon] = e.Address
		}
		return s
	},
}

// appendBenchEvents stores an aggregate of n events, a few hundred per
// atomic append: one append costs one fsync on a single-node JetStream.
func appendBenchEvents(ctx context.Context, b *testing.B, store *events.Store, id string, n int) {
	ref := events.MustRef(benchKind.Type, id)
	batch := []events.Payload{benchRegistered{Tenant: "01JTENANT0123456789", Slug: "home-lab", Region: "eu-central"}}
	var version events.StreamSeq
	for i := 1; i <= n; i++ {
		if i > 1 {
			batch = append(batch, benchReported{Daemon: fmt.Sprintf("daemon-%d", i%8), Address: fmt.Sprintf("203.0.113.%d", i%250)})
		}
		if len(batch) == 250 || i == n {
			res, err := store.Append(ctx, events.Meta{}, events.Change{Aggregate: ref, Expect: events.ExpectVersion(version), Events: batch})
			if err != nil {
				b.Fatal(err)
			}
			version, batch = res.Versions[0], batch[:0]
		}
	}
}

// Loading an aggregate of 1 000 events through a snapshot taken at its last
// event (target) against folding all 1 000 events from the log (baseline),
// both without the cache. Lower is better; ratio < 1 means snapshots help.
func BenchmarkLoad1000(b *testing.B) {
	ctx := context.Background()
	n, db := testenv.StartNATS(b), testenv.Postgres(b)
	c := events.NewCatalog()
	events.Register[benchRegistered](c, 1)
	events.Register[benchReported](c, 1)
	store := n.Store(b, c)
	appendBenchEvents(ctx, b, store, "n1000", 1000)

	withSnapshot, err := aggregates.NewRepository(store, db.Pool, benchKind, aggregates.WithCacheSize(0), aggregates.WithSnapshotEvery(1000))
	if err != nil {
		b.Fatal(err)
	}
	fromLog, err := aggregates.NewRepository(store, db.Pool, benchKind, aggregates.WithCacheSize(0), aggregates.WithSnapshotEvery(0))
	if err != nil {
		b.Fatal(err)
	}
	load := func(r *aggregates.Repository[benchNetwork]) aggregates.Loaded[benchNetwork] {
		l, err := r.Load(ctx, "n1000")
		if err != nil {
			b.Fatal(err)
		}
		return l
	}
	// The first load through withSnapshot folds the log and writes the
	// snapshot; from then on both must agree.
	load(withSnapshot)
	if s, f := load(withSnapshot), load(fromLog); !reflect.DeepEqual(s, f) || f.Events != 1000 {
		b.Fatalf("snapshot load %+v differs from log load %+v", s, f)
	}

	const rounds = 31
	for b.Loop() {
		tt, bt := benchreport.Interleave(rounds,
			func() { load(withSnapshot) },
			func() { load(fromLog) })
		target, base := float64(tt.Nanoseconds())/1e3, float64(bt.Nanoseconds())/1e3
		b.ReportMetric(target, "µs/load")
		b.ReportMetric(base, "µs/load-no-snapshot")
		benchreport.Record("aggregates.load_1000", target, "µs", base)
	}
}
