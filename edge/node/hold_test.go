package node_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// A tunnel held is claimed in presence, and released when it ends.
func TestHoldClaimsAndReleases(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "home")
	tn := e.startNode("node-a", node.Config{})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	if h := tn.holder(id); h != "node-a" {
		t.Fatalf("holder %q after Hold, want node-a", h)
	}
	if st := tn.Stats(); st.Tunnels != 1 || st.Holds != 1 || st.PerTunnel[0].Slug != "home" {
		t.Fatalf("stats %+v", st)
	}
	_ = d.sess.Close(frame.CloseCode(1000))
	testenv.Eventually(t, patience, func() error {
		if h := tn.holder(id); h != "" {
			return fmt.Errorf("holder %q after the tunnel ended", h)
		}
		if n := tn.Stats().Tunnels; n != 0 {
			return fmt.Errorf("%d tunnels held", n)
		}
		return nil
	})
}

// A second tunnel for the same network displaces the first on this node:
// the first closes with 4000, connections go to the second, and the
// first's end does not release the second's claim.
func TestNewerTunnelDisplacesOlder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "home")
	tn := e.startNode("node-a", node.Config{})
	first, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	second, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	if code := first.ended(); code != frame.CloseDisplaced {
		t.Fatalf("the first tunnel closed with %d, want %d (displaced)", code, frame.CloseDisplaced)
	}
	echo(t, tn.connect("home", second.cert), "to the newer tunnel")
	if a := second.next(); a.err != nil {
		t.Fatal(a.err)
	}
	if h := tn.holder(id); h != "node-a" {
		t.Fatalf("holder %q, want node-a", h)
	}
	st := tn.Stats()
	if st.Tunnels != 1 || st.Holds != 2 || st.Closes[frame.CloseDisplaced] != 1 {
		t.Fatalf("stats %+v", st)
	}
	select {
	case <-second.sess.Done():
		t.Fatalf("the newer tunnel closed: %v", second.sess.Err())
	default:
	}
}

// A daemon that reconnects to another node displaces its tunnel here:
// presence reports it and this node closes the tunnel with 4000.
func TestClaimByAnotherNodeDisplaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "home")
	a := e.startNode("node-a", node.Config{})
	b := e.startNode("node-b", node.Config{})
	old, err := a.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := b.dialDaemon("home"); err != nil {
		t.Fatal(err)
	}
	if code := old.ended(); code != frame.CloseDisplaced {
		t.Fatalf("the tunnel on node-a closed with %d, want %d", code, frame.CloseDisplaced)
	}
	t.Logf("node-a closed its tunnel %s after node-b's Hold began", time.Since(start))
	testenv.Eventually(t, patience, func() error {
		if n := a.Stats().Tunnels; n != 0 {
			return fmt.Errorf("node-a holds %d tunnels", n)
		}
		return nil
	})
	if h := b.holder(id); h != "node-b" {
		t.Fatalf("holder %q, want node-b (node-a's end must not release it)", h)
	}
}

// An event that makes the network inadmissible closes its tunnel within a
// second of being appended, with the code that tells the daemon why, and
// the claim is released.
func TestLapseClosesTunnel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	home := e.network(e.tenant(), "home")
	paying := e.tenant()
	cabin := e.network(paying, "cabin")
	tn := e.startNode("node-a", node.Config{})

	for _, tc := range []struct {
		name   string
		slug   string
		lapse  func()
		want   frame.CloseCode
		holder func() string
	}{
		{"deprovisioned", "home", func() { e.deprovision(home) }, frame.CloseNetworkDeprovisioned,
			func() string { return string(tn.holder(home)) }},
		{"entitlement lapsed", "cabin", func() { e.closeSubscription(paying) }, frame.CloseEntitlementLapsed,
			func() string { return string(tn.holder(cabin)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tn.dialDaemon(tc.slug)
			if err != nil {
				t.Fatal(err)
			}
			closed := make(chan time.Time, 1)
			go func() {
				<-d.sess.Done()
				closed <- time.Now()
			}()
			appended := time.Now()
			tc.lapse()
			var at time.Time
			testenv.Eventually(t, promptly, func() error {
				select {
				case at = <-closed:
					return nil
				default:
					return errors.New("the tunnel is still open")
				}
			})
			if code := closeCode(d.sess.Err()); code != tc.want {
				t.Fatalf("closed with %d, want %d", code, tc.want)
			}
			t.Logf("%s: the daemon saw the close %s after the event was appended", tc.name, at.Sub(appended))
			testenv.Eventually(t, patience, func() error {
				if h := tc.holder(); h != "" {
					return fmt.Errorf("holder %q after the lapse", h)
				}
				return nil
			})
		})
	}
	if st := tn.Stats(); st.Closes[frame.CloseNetworkDeprovisioned] != 1 || st.Closes[frame.CloseEntitlementLapsed] != 1 {
		t.Fatalf("closes %v", st.Closes)
	}
}

// Hold refuses a network the table does not admit, and a tunnel over the
// node's limit, each with its own error and close code; a tunnel that
// displaces one of its network takes no room.
func TestHoldRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ten := e.tenant()
	e.network(ten, "one")
	e.network(ten, "two")
	gone := e.network(ten, "gone")
	e.deprovision(gone)
	e.caughtUp()
	tn := e.startNode("node-a", node.Config{MaxTunnels: 1})

	if _, err := tn.dialDaemon("one"); err != nil {
		t.Fatal(err)
	}
	d, err := tn.dialDaemon("two")
	if !errors.Is(err, node.ErrTooManyTunnels) {
		t.Fatalf("Hold over the limit: %v, want ErrTooManyTunnels", err)
	}
	if code := d.ended(); code != frame.ClosePolicy {
		t.Errorf("refused tunnel closed with %d, want %d", code, frame.ClosePolicy)
	}
	d, err = tn.dialDaemon("gone")
	if !errors.Is(err, node.ErrNotAdmitted) || !errors.Is(err, route.ErrDeprovisioning) {
		t.Fatalf("Hold of a deprovisioning network: %v", err)
	}
	if code := d.ended(); code != frame.CloseNetworkDeprovisioned {
		t.Errorf("refused tunnel closed with %d, want %d", code, frame.CloseNetworkDeprovisioned)
	}
	if _, err := tn.dialDaemon("one"); err != nil {
		t.Fatalf("a reconnect of the held network was refused: %v", err)
	}
	st := tn.Stats()
	if st.HoldRefusals["too_many_tunnels"] != 1 || st.HoldRefusals["not_admitted"] != 1 || st.Holds != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCloseCodeFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want frame.CloseCode
	}{
		{fmt.Errorf("%w: %w", node.ErrNotAdmitted, route.ErrNotEntitled), frame.CloseEntitlementLapsed},
		{route.ErrDeprovisioned, frame.CloseNetworkDeprovisioned},
		{route.ErrUnknownNetwork, frame.CloseNetworkDeprovisioned},
		{route.ErrOtherRegion, frame.ClosePolicy},
		{node.ErrTooManyTunnels, frame.ClosePolicy},
		{node.ErrDraining, frame.CloseNodeDraining},
		{node.ErrStopped, 1001},
		{route.ErrNotReady, 1011},
		{node.ErrPresence, 1011},
	} {
		if got := node.CloseCodeFor(tc.err); got != tc.want {
			t.Errorf("CloseCodeFor(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
