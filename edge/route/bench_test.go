package route_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/benchreport"
)

// benchNetworks is the size of the benchmarked table: a large region.
const benchNetworks = 10_000

// bigTable is a ready table of benchNetworks networks (100 tenants of
// 100), their slugs, and a plain map from the same slugs to the same
// routes: the baseline, what a lookup costs without the table's lock.
func bigTable(b *testing.B) (*fixture, *route.Table, []naming.Slug, map[naming.Slug]route.Route) {
	b.Helper()
	f := newFixture(b)
	slugs := make([]naming.Slug, 0, benchNetworks)
	var ten ids.TenantID
	var changes []events.Change
	for i := range benchNetworks {
		if i%100 == 0 {
			ten = f.tenant()
		}
		slug := naming.Slug(fmt.Sprintf("net-%05d", i))
		slugs = append(slugs, slug)
		changes = append(changes, events.Change{
			Aggregate: events.MustRef(network.Type, ids.New[ids.NetworkID]().String()),
			Events: []events.Payload{network.Registered{TenantID: ten, Slug: slug, Region: region,
				RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: ids.DaemonKey{1}}},
		})
		// An atomic batch per 100 registrations keeps the setup short.
		if len(changes) == 100 {
			if _, err := f.store.Append(f.ctx, events.Meta{Actor: "bench"}, changes...); err != nil {
				b.Fatal(err)
			}
			changes = changes[:0]
		}
	}
	tab := f.start(region)
	f.caughtUp(tab)
	base := make(map[naming.Slug]route.Route, benchNetworks)
	for _, r := range tab.Routes() {
		base[r.Slug] = r
	}
	if len(base) != benchNetworks {
		b.Fatalf("table holds %d networks, want %d", len(base), benchNetworks)
	}
	return f, tab.Table, slugs, base
}

var sinkRoute route.Route

// BenchmarkLookup looks slugs up in a table of 10 000 networks; the map
// sub-benchmark is the baseline of a plain map lookup of the same routes.
// The summary line edge.route_lookup_10k is the table's nanoseconds per
// lookup against the map's, interleaved in the same run.
func BenchmarkLookup(b *testing.B) {
	_, tab, slugs, base := bigTable(b)
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r, ok := tab.Lookup(slugs[i%len(slugs)])
			if !ok {
				b.Fatal("not found")
			}
			sinkRoute = r
			i++
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r, ok := base[slugs[i%len(slugs)]]
			if !ok {
				b.Fatal("not found")
			}
			sinkRoute = r
			i++
		}
	})
	b.Run("summary", func(b *testing.B) {
		const rounds = 20
		for b.Loop() {
			target := func() {
				for _, s := range slugs {
					sinkRoute, _ = tab.Lookup(s)
				}
			}
			baseline := func() {
				for _, s := range slugs {
					sinkRoute = base[s]
				}
			}
			tt, bt := benchreport.Interleave(rounds, target, baseline)
			ns := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(len(slugs)) }
			benchreport.Record("edge.route_lookup_10k", ns(tt), "ns", ns(bt))
		}
	})
}

// BenchmarkBuild builds the table of 10 000 networks from the log, as a
// node does at each start; the baseline is reading and decoding the same
// log with events.Store.Read. The summary line edge.route_build_10k is in
// events per second.
func BenchmarkBuild(b *testing.B) {
	f, _, _, _ := bigTable(b)
	last, err := f.store.LastSeq(f.ctx)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		target := func() {
			tab := f.start(region)
			f.caughtUp(tab)
			if err := tab.stop(); err != nil {
				b.Fatal(err)
			}
		}
		baseline := func() {
			for _, err := range f.store.Read(f.ctx, events.Query{}) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		tt, bt := benchreport.Interleave(3, target, baseline)
		benchreport.Record("edge.route_build_10k", benchreport.PerSecond(int(last), tt), "events/s", benchreport.PerSecond(int(last), bt))
	}
}

// TestLookupDoesNotAllocate: the SNI listeners look up every inbound
// connection's slug.
func TestLookupDoesNotAllocate(t *testing.T) {
	f := newFixture(t)
	f.register(f.tenant(), "home", region)
	tab := f.start(region)
	f.caughtUp(tab)
	slug := naming.Slug("home")
	if n := testing.AllocsPerRun(100, func() { sinkRoute, _ = tab.Lookup(slug) }); n != 0 {
		t.Fatalf("Lookup: %.1f allocations per call, want 0", n)
	}
}
