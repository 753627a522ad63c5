package tunneller_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/commands/tunneller"
)

// A release because the network goes frees its port only once the network
// is on its way out; an operator's frees it regardless; a network without
// a port, or released already, decides nothing.
func TestReleaseUDPPort(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	live, going := f.register(region), f.register(region)
	pl, pg := f.allocate(f.app, live), f.allocate(f.app, going)

	must(t, f.app.ReleaseUDPPort(ctx, tunneller.ReleaseUDPPort{NetworkID: live, Reason: udpport.ReasonDeprovisioned}))
	must(t, f.holds(live, pl))

	f.onNetwork(going, network.DeprovisioningStarted{Reason: network.ReasonUser})
	for range 2 {
		must(t, f.app.ReleaseUDPPort(ctx, tunneller.ReleaseUDPPort{NetworkID: going, Reason: udpport.ReasonDeprovisioned}))
	}
	must(t, f.holds(going, 0))

	must(t, f.app.ReleaseUDPPort(ctx, tunneller.ReleaseUDPPort{NetworkID: live, Reason: udpport.ReasonOperator}))
	must(t, f.holds(live, 0))

	err := f.app.ReleaseUDPPort(ctx, tunneller.ReleaseUDPPort{NetworkID: live, Reason: udpport.ReasonOutOfRange})
	wantRefused(t, err, tunneller.BadRequest)
	f.wantPool(allocated(live, pl), allocated(going, pg),
		released(going, pg, udpport.ReasonDeprovisioned), released(live, pl, udpport.ReasonOperator))

	// A live network given its port back by an operator gets one again.
	if p := f.allocate(f.app, live); p != ports.First {
		t.Fatalf("reallocated %d, want %d", p, ports.First)
	}
}
