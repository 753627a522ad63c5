package tunneller_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/commands/tunneller"
)

// A network gets the lowest free port, and keeps it: asking again, from
// this App or another one (another node), answers the same port and
// appends nothing.
func TestAllocateUDPPortIsStable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.register(region), f.register(region, network.Activated{})
	if p := f.allocate(f.app, a); p != ports.First {
		t.Fatalf("first port %d, want %d", p, ports.First)
	}
	if p := f.allocate(f.app, b); p != ports.First+1 {
		t.Fatalf("second port %d, want %d", p, ports.First+1)
	}
	end := f.lastSeq()
	another := f.newApp()
	for _, app := range []*tunneller.App{f.app, another, f.app} {
		if p := f.allocate(app, a); p != ports.First {
			t.Fatalf("again: %d, want %d", p, ports.First)
		}
	}
	if f.lastSeq() != end {
		t.Fatalf("asking again appended %d events", f.lastSeq()-end)
	}
	f.wantPool(allocated(a, ports.First), allocated(b, ports.First+1))
}

// Only a live network of the region gets a port; a full pool is a clear
// refusal, and a port given back is handed out again.
func TestAllocateUDPPortRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	_, err := f.app.AllocateUDPPort(ctx, tunneller.AllocateUDPPort{NetworkID: ids.New[ids.NetworkID]()})
	wantRefused(t, err, tunneller.NotFound)
	_, err = f.app.AllocateUDPPort(ctx, tunneller.AllocateUDPPort{NetworkID: f.register(other)})
	wantRefused(t, err, tunneller.Forbidden)
	_, err = f.app.AllocateUDPPort(ctx, tunneller.AllocateUDPPort{NetworkID: f.register(region, network.DeprovisioningStarted{Reason: network.ReasonUser})})
	wantRefused(t, err, tunneller.Conflict)
	_, err = f.app.AllocateUDPPort(ctx, tunneller.AllocateUDPPort{})
	wantRefused(t, err, tunneller.BadRequest)
	f.wantPool()

	nets := make([]ids.NetworkID, ports.Size())
	for i := range nets {
		nets[i] = f.register(region)
		if p := f.allocate(f.app, nets[i]); p != ports.First+uint16(i) {
			t.Fatalf("network %d got %d", i, p)
		}
	}
	late := f.register(region)
	_, err = f.app.AllocateUDPPort(ctx, tunneller.AllocateUDPPort{NetworkID: late})
	wantRefused(t, err, tunneller.Unavailable)
	if !errors.Is(err, udpport.ErrExhausted) {
		t.Fatalf("%v, want udpport.ErrExhausted", err)
	}
	f.onNetwork(nets[3], network.DeprovisioningStarted{Reason: network.ReasonUser})
	must(t, f.app.ReleaseUDPPort(ctx, tunneller.ReleaseUDPPort{NetworkID: nets[3], Reason: udpport.ReasonDeprovisioned}))
	if p := f.allocate(f.app, late); p != ports.First+3 {
		t.Fatalf("after a release: %d, want the freed %d", p, ports.First+3)
	}
}

// Many networks ask two Apps (two nodes) for ports at once: every one
// gets a port, no two the same, and the pool holds one allocation each.
func TestConcurrentAllocationsNeverCollide(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	apps := []*tunneller.App{f.app, f.newApp()}
	nets := make([]ids.NetworkID, 8)
	for i := range nets {
		nets[i] = f.register(region)
	}
	got := make([]uint16, len(nets))
	errs := make([]error, len(nets))
	var wg sync.WaitGroup
	for i, id := range nets {
		wg.Go(func() {
			got[i], errs[i] = apps[i%2].AllocateUDPPort(t.Context(), tunneller.AllocateUDPPort{NetworkID: id})
		})
	}
	wg.Wait()
	seen := map[uint16]ids.NetworkID{}
	for i, p := range got {
		if errs[i] != nil {
			t.Fatalf("network %d: %v", i, errs[i])
		}
		if prev, ok := seen[p]; ok || !ports.Contains(p) {
			t.Fatalf("port %d given to %s and %s (range %s)", p, prev, nets[i], ports)
		}
		seen[p] = nets[i]
	}
	s, recs := f.pool()
	if len(recs) != len(nets) || len(s.Ports) != len(nets) {
		t.Fatalf("pool %v after %d events, want %d allocations", s.Ports, len(recs), len(nets))
	}
	for i, id := range nets {
		must(t, f.holds(id, got[i]))
	}
}
