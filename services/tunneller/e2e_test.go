package tunneller_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
)

// The must-show of the tunnel edge, through real sockets end to end: a
// daemon enrolls and registers its network with the agent, which holds
// the tunnel (v2) to the tunneller and relays port 443 to a TLS server of
// its own behind a PROXY v2 header. A client on the internet, behind an L4
// proxy that sends PROXY v1, reaches app.<slug>.<zone> on the edge's SNI
// listener: the TLS handshake is the daemon server's (the client pins its
// certificate), bytes go both ways (more than a flow-control window), and
// the client's address reaches the server. A ClientHello of more than
// 6 KiB (a long ALPN list) sent in many TCP segments routes too, and a
// connection without the PROXY header is refused. The owner deletes the
// network, and the live tunnel closes (4001) within a second of the
// tenants API's answer.
func TestEndToEndTunnel(t *testing.T) {
	t.Parallel()
	s := startSystem(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	const slug = "alices-lab"
	zone := servicetest.TunnelZone
	d := s.daemon(ctx, "alice@example.com", slug)
	// The daemon's certificate: its wildcard, and one deeper name (the
	// edge routes any depth below the slug; a wildcard covers one label).
	srv := startDaemonServer(t, "*."+slug+"."+zone, slug+"."+zone, "deep.name."+slug+"."+zone)
	tun := s.hold(d, srv.addr())
	s.waitTunnels(patience, 1)
	st := s.edge.Stats()
	if got := st.PerTunnel[0]; string(got.Slug) != slug || string(got.NetworkID) != string(d.network.ID) || string(got.TenantID) != string(d.tenant) {
		t.Fatalf("the node holds %+v, want network %s (%s) of tenant %s", got, d.network.ID, slug, d.tenant)
	}

	// A client through the L4 proxy: the daemon's certificate, data both
	// ways, the client's address in the PROXY v2 header.
	name := "app." + slug + "." + zone
	c1, err := client{from: "203.0.113.9:51234", serverName: name, pin: srv.leaf}.dial(ctx, s.edge.HTTPSAddr)
	must(t, err)
	payload := make([]byte, 1<<20) // four flow-control windows
	_, _ = rand.Read(payload)
	if line := c1.exchange(t, payload); line != "client v2 203.0.113.9:51234" {
		t.Errorf("the daemon's server heard %q, want the client 203.0.113.9:51234 in a PROXY v2 header", line)
	}
	_ = c1.Close()

	// A ClientHello of more than 6 KiB, in segments of 500 bytes.
	var alpn []string
	for i := range 60 {
		alpn = append(alpn, fmt.Sprintf("x-protocol-%03d-%s", i, strings.Repeat("p", 86)))
	}
	c2, err := client{from: "198.51.100.20:40000", serverName: "deep.name." + slug + "." + zone,
		alpn: alpn, segment: 500, pin: srv.leaf}.dial(ctx, s.edge.HTTPSAddr)
	must(t, err)
	if c2.hello < 6<<10 {
		t.Errorf("the ClientHello was %d bytes, want at least 6 KiB", c2.hello)
	}
	if line := c2.exchange(t, []byte("hello through a big hello")); line != "client v2 198.51.100.20:40000" {
		t.Errorf("the daemon's server heard %q", line)
	}
	_ = c2.Close()
	t.Logf("a ClientHello of %d bytes in segments of 500 bytes routed", c2.hello)

	// Without the L4 proxy's header, the edge refuses the connection.
	if c, err := (client{serverName: name, pin: srv.leaf}).dial(ctx, s.edge.HTTPSAddr); err == nil {
		_ = c.Close()
		t.Error("a connection without a PROXY header reached the daemon")
	}
	testenv.Eventually(t, patience, func() error {
		if n := s.edge.Stats().Listeners[443].Refusals[node.ReasonProxyHeader]; n != 1 {
			return fmt.Errorf("proxy_header refusals: %d, want 1", n)
		}
		return nil
	})
	st = s.edge.Stats()
	if l := st.Listeners[443]; l.Routed != 2 || st.BytesToDaemon < uint64(len(payload)) || st.BytesToClient < uint64(len(payload)) {
		t.Errorf("listener %+v, bytes to the daemon %d, to clients %d", l, st.BytesToDaemon, st.BytesToClient)
	}

	// The owner deletes the network: the tunnel closes at once.
	owner := s.person("alice@example.com")
	asked := time.Now()
	owner.send("DELETE", "/v1/tenants/"+string(d.tenant)+"/networks/"+slug, nil, nil)
	answered := time.Now()
	testenv.Eventually(t, time.Second, func() error {
		select {
		case <-tun.done:
		default:
			return errors.New("the agent still holds its tunnel")
		}
		if n := s.edge.Stats().Tunnels; n != 0 {
			return fmt.Errorf("the node still holds %d tunnels", n)
		}
		return nil
	})
	if !errors.Is(tun.err, agent.ErrNetworkDeprovisioned) {
		t.Errorf("HoldTunnel ended with %v, want ErrNetworkDeprovisioned (close 4001)", tun.err)
	}
	if n := s.edge.Stats().Closes[frame.CloseNetworkDeprovisioned]; n != 1 {
		t.Errorf("closes with 4001: %d", n)
	}
	// The close can beat the answer to the client: the node follows the
	// log, and the tenants API answers after its append.
	t.Logf("deprovision → tunnel closed: %s after the DELETE was sent, %s after its answer (the API answered in %s)",
		tun.closed.Sub(asked).Round(time.Microsecond), tun.closed.Sub(answered).Round(time.Microsecond),
		answered.Sub(asked).Round(time.Microsecond))

	// And the name routes nowhere now.
	if c, err := (client{from: "203.0.113.9:51235", serverName: name, pin: srv.leaf}).dial(ctx, s.edge.HTTPSAddr); err == nil {
		_ = c.Close()
		t.Error("a connection to a deprovisioned network reached the daemon")
	}
}
