package tunneller_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/commands/tunneller"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// patience bounds the waits for the process manager.
const patience = 20 * time.Second

// The process manager, run by the projector runtime, gives a network's
// port back when the network is deprovisioned, and leaves the ports of
// live networks alone.
func TestProcessReleasesThePortOfADeprovisionedNetwork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.runProcess()
	kept, gone := f.register(region, network.Activated{}), f.register(region, network.Activated{})
	pk, pg := f.allocate(f.app, kept), f.allocate(f.app, gone)

	f.onNetwork(gone, network.DeprovisioningStarted{Reason: network.ReasonUser})
	testenv.Eventually(t, patience, func() error { return f.holds(gone, 0) })
	f.onNetwork(gone, network.Deprovisioned{})
	must(t, f.holds(kept, pk))

	// The port is free for the next network; the kept one still has its.
	next := f.register(region)
	if p := f.allocate(f.app, next); p != pg {
		t.Fatalf("next network got %d, want the freed %d", p, pg)
	}
	// Once the process has seen the whole log, nothing more is released.
	end := f.lastSeq()
	testenv.Eventually(t, patience, func() error { return f.processAt(end) })
	f.wantPool(allocated(kept, pk), allocated(gone, pg), released(gone, pg, udpport.ReasonDeprovisioned), allocated(next, pg))
}

// An allocation that raced the network's deprovisioning (decided while
// the network was live, appended after) is undone when the process sees
// it; delivered again, every event decides nothing new.
func TestProcessUndoesARacedAllocation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pm := tunneller.NewUDPPortProcess(f.app)
	id := f.register(region)
	f.onNetwork(id, network.DeprovisioningStarted{Reason: network.ReasonSubscription})
	// What the losing side of the race appends: the node's allocation,
	// decided on the live network.
	_, err := f.store.Append(t.Context(), events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(udpport.Type, string(region)), Events: []events.Payload{allocated(id, ports.First)},
	})
	must(t, err)
	applyAll := func() {
		t.Helper()
		for rec, err := range f.store.Read(t.Context(), events.Query{UntilSeq: f.lastSeq()}) {
			must(t, err)
			must(t, pm.Apply(t.Context(), nil, rec))
		}
	}
	applyAll()
	must(t, f.holds(id, 0))
	end := f.lastSeq()
	applyAll()
	if f.lastSeq() != end {
		t.Fatalf("redelivering the log appended %d events", f.lastSeq()-end)
	}
	f.wantPool(allocated(id, ports.First), released(id, ports.First, udpport.ReasonDeprovisioned))

	// An allocation in another region's pool is none of this process's.
	_, err = f.store.Append(t.Context(), events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(udpport.Type, string(other)), Events: []events.Payload{allocated(id, ports.First)},
	})
	must(t, err)
	applyAll()
	if f.lastSeq() != end+1 {
		t.Fatalf("another region's allocation made the process append %d events", f.lastSeq()-end-1)
	}
}
