package node_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// A real TLS client reaches a daemon through the node: the handshake
// completes with the daemon's certificate and the name the client sent,
// the client's address (from the PROXY header) arrives in the stream's
// OPEN, data flows both ways and half-closes end the connection cleanly.
func TestTLSThroughTheNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.network(e.tenant(), "home")
	tn := e.startNode("node-a", node.Config{})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}

	tc, err := dialTLS(dialRaw(t, tn.addr, client), "www.home."+zoneName, d.cert, "h2")
	if err != nil {
		t.Fatalf("TLS through the node: %v", err)
	}
	a := d.next()
	if a.err != nil {
		t.Fatalf("the daemon's handshake: %v", a.err)
	}
	if a.client != client || a.destPort != 443 {
		t.Errorf("OPEN for %s port %d, want %s port 443", a.client, a.destPort, client)
	}
	if a.serverName != "www.home."+zoneName {
		t.Errorf("the daemon saw server name %q", a.serverName)
	}
	cs := tc.ConnectionState()
	if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, d.cert.der) {
		t.Error("the client did not get the daemon's certificate")
	}
	if cs.NegotiatedProtocol != "h2" {
		t.Errorf("ALPN %q, want h2", cs.NegotiatedProtocol)
	}

	echo(t, tc, "hello through the tunnel")
	// A megabyte each way, more than a stream's window, while reading.
	big := make([]byte, 1<<20)
	_, _ = rand.Read(big)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := tc.Write(big); err != nil {
			t.Errorf("write: %v", err)
		}
		if err := tc.CloseWrite(); err != nil { // close_notify: the daemon's echo ends
			t.Errorf("close write: %v", err)
		}
	})
	_ = tc.SetReadDeadline(time.Now().Add(patience))
	got, err := io.ReadAll(tc) // to the daemon's close_notify and the node's FIN
	wg.Wait()
	if err != nil {
		t.Fatalf("read the echo: %v", err)
	}
	if !bytes.Equal(got, big) {
		t.Fatalf("echoed %d bytes, not the %d sent", len(got), len(big))
	}
	_ = tc.Close()

	testenv.Eventually(t, patience, func() error {
		st := tn.Stats()
		l := st.Listeners[443]
		switch {
		case l.Routed != 1 || l.Open != 0:
			return fmt.Errorf("listener %+v", l)
		case len(st.PerTunnel) != 1 || st.PerTunnel[0].BytesToDaemon < 1<<20 || st.PerTunnel[0].BytesToClient < 1<<20:
			return fmt.Errorf("per tunnel %+v", st.PerTunnel)
		case st.PerTunnel[0].Streams != 0:
			return fmt.Errorf("streams still open: %+v", st.PerTunnel)
		}
		return nil
	})
}

// A ClientHello of 6 KiB, offering many ALPN values and written in small
// TCP segments, is read whole and reaches the daemon unchanged.
func TestLargeClientHelloInSmallSegments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.network(e.tenant(), "home")
	tn := e.startNode("node-a", node.Config{})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	var alpn []string
	for i := range 48 {
		alpn = append(alpn, fmt.Sprintf("x-%03d-%s", i, strings.Repeat("p", 110)))
	}
	alpn = append(alpn, "h2")
	conn := &chunked{Conn: dialRaw(t, tn.addr, client), size: 97}
	tc, err := dialTLS(conn, "www.home."+zoneName, d.cert, alpn...)
	if err != nil {
		t.Fatalf("TLS through the node: %v", err)
	}
	a := d.next()
	if a.err != nil {
		t.Fatal(a.err)
	}
	if a.helloBytes < 6<<10 {
		t.Errorf("the hello was %d bytes, want at least 6 KiB", a.helloBytes)
	}
	if len(a.alpn) != len(alpn) {
		t.Errorf("the daemon saw %d ALPN values, want %d", len(a.alpn), len(alpn))
	}
	if got := tc.ConnectionState().NegotiatedProtocol; got != "h2" {
		t.Errorf("ALPN %q, want h2", got)
	}
	if w := conn.writes.Load(); w < 60 {
		t.Errorf("the hello went out in %d writes, want many", w)
	}
	t.Logf("ClientHello of %d bytes in %d writes of ≤ 97 bytes", a.helloBytes, conn.writes.Load())
	echo(t, tc, "after a large hello")
}

// Connections that name no network of the zone, aren't TLS, lack the
// PROXY header, or reach a network without a tunnel are closed without an
// answer and counted by reason.
func TestRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ten := e.tenant()
	e.network(ten, "home")
	e.network(ten, "empty") // no tunnel anywhere
	gone := e.network(ten, "gone")
	e.deprovision(gone)
	e.caughtUp()
	tn := e.startNode("node-a", node.Config{})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, reason string
		send         func(net.Conn)
	}{
		{"unknown slug", node.ReasonUnknownSlug, hello("www.nosuch." + zoneName)},
		{"other zone", "outside_zone", hello("www.home.example.org")},
		{"zone apex", "zone_apex", hello(zoneName)},
		{"no tunnel", node.ReasonNoTunnel, hello("www.empty." + zoneName)},
		{"deprovisioning", node.ReasonNotAdmitted, hello("www.gone." + zoneName)},
		{"not TLS", "not_tls", func(c net.Conn) { _, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: home\r\n\r\n") }},
		{"truncated", "truncated", func(c net.Conn) {
			_, _ = c.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01})
			_ = c.(*net.TCPConn).CloseWrite()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, tn.addr, client)
			tc.send(c)
			expectClosed(t, c)
			tn.waitRefusals(tc.reason, 1)
		})
	}
	t.Run("no PROXY header", func(t *testing.T) {
		c := dialRaw(t, tn.addr, netip.AddrPort{})
		hello("www.home." + zoneName)(c)
		expectClosed(t, c)
		tn.waitRefusals(node.ReasonProxyHeader, 1)
	})
	select {
	case a := <-d.accepted:
		t.Fatalf("a refused connection reached the daemon: %+v", a)
	default:
	}
	if st := tn.Stats().Listeners[443]; st.Routed != 0 || st.Accepted != 8 {
		t.Errorf("listener %+v", st)
	}
}

// hello sends a TLS client's ClientHello for serverName (the handshake
// then fails: the node closes the connection).
func hello(serverName string) func(net.Conn) {
	return func(c net.Conn) {
		go func() {
			_ = tls.Client(c, &tls.Config{ServerName: serverName}).Handshake()
		}()
	}
}

// A connection to a network whose tunnel another node holds goes to the
// Forwarder with what the other node needs; here one that relays to the
// other node's listener behind a PROXY header, as the mTLS forwarder
// will. The client's address survives the hop.
func TestForwardsToTheHolder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.network(e.tenant(), "home")
	fwd := &relay{to: map[presence.NodeID]string{}}
	a := e.startNode("node-a", node.Config{Forwarder: fwd})
	b := e.startNode("node-b", node.Config{})
	fwd.set("node-b", b.addr)
	d, err := b.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	tc := a.connect("home", d.cert)
	if got := d.next(); got.err != nil || got.client != client {
		t.Fatalf("the daemon saw %+v", got)
	}
	echo(t, tc, "via node-a")
	req := fwd.last()
	if req.To != "node-b" || req.Slug != "home" || req.DestPort != 443 || req.Client != client || len(req.FirstBytes) == 0 {
		t.Errorf("forward request %+v", req)
	}
	if st := a.Stats().Listeners[443]; st.Forwarded != 1 || st.Routed != 0 {
		t.Errorf("node-a listener %+v", st)
	}
}

// relay is a Forwarder that reaches the other node's SNI listener with a
// PROXY header naming the client, then replays the hello and copies.
type relay struct {
	mu   sync.Mutex
	to   map[presence.NodeID]string
	reqs []node.ForwardRequest
}

func (r *relay) set(id presence.NodeID, addr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.to[id] = addr
}

func (r *relay) last() node.ForwardRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		return node.ForwardRequest{}
	}
	return r.reqs[len(r.reqs)-1]
}

func (r *relay) Forward(_ context.Context, req node.ForwardRequest, conn net.Conn) error {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	addr, ok := r.to[req.To]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("no address for %s", req.To)
	}
	out, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer out.Close()
	if _, err := fmt.Fprintf(out, "PROXY TCP4 %s 192.0.2.1 %d %d\r\n", req.Client.Addr(), req.Client.Port(), req.DestPort); err != nil {
		return err
	}
	if _, err := out.Write(req.FirstBytes); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		_, _ = io.Copy(out, conn)
		_ = out.(*net.TCPConn).CloseWrite()
	})
	_, _ = io.Copy(conn, out)
	_ = conn.Close()
	wg.Wait()
	return nil
}

// A tenant's streams on the node are capped across its networks: over
// the cap the new connection is closed and counted; a stream that ends
// makes room.
func TestTenantStreamLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ten := e.tenant()
	e.network(ten, "alpha")
	e.network(ten, "beta")
	tn := e.startNode("node-a", node.Config{MaxTenantStreams: 1})
	da, err := tn.dialDaemon("alpha")
	if err != nil {
		t.Fatal(err)
	}
	db, err := tn.dialDaemon("beta")
	if err != nil {
		t.Fatal(err)
	}
	first := tn.connect("alpha", da.cert)
	echo(t, first, "one")
	if _, err := dialTLS(dialRaw(t, tn.addr, client), "www.beta."+zoneName, db.cert); err == nil {
		t.Fatal("a second stream of the tenant got through")
	}
	tn.waitRefusals(node.ReasonTenantStreams, 1)
	_ = first.Close()
	testenv.Eventually(t, patience, func() error {
		if open := tn.Stats().Listeners[443].Open; open != 0 {
			return fmt.Errorf("%d connections open", open)
		}
		return nil
	})
	echo(t, tn.connect("beta", db.cert), "room again")
}

// A listener serves at most MaxConns connections; more are closed at once.
func TestListenerLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.network(e.tenant(), "home")
	tn := e.startNode("node-a", node.Config{MaxConns: 1})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	first := tn.connect("home", d.cert)
	expectClosed(t, dialRaw(t, tn.addr, client))
	tn.waitRefusals(node.ReasonListenerFull, 1)
	echo(t, first, "still served")
}

// A connection that moves nothing for the idle timeout is closed at both
// ends.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.network(e.tenant(), "home")
	tn := e.startNode("node-a", node.Config{IdleTimeout: 300 * time.Millisecond})
	d, err := tn.dialDaemon("home")
	if err != nil {
		t.Fatal(err)
	}
	tc := tn.connect("home", d.cert)
	echo(t, tc, "then silence")
	start := time.Now()
	_ = tc.SetReadDeadline(time.Now().Add(patience))
	if _, err := tc.Read(make([]byte, 1)); err == nil {
		t.Fatal("read data after silence")
	}
	if quiet := time.Since(start); quiet < 250*time.Millisecond {
		t.Errorf("closed after %s of silence, before the idle timeout", quiet)
	}
	testenv.Eventually(t, patience, func() error {
		if st := tn.Stats(); st.Listeners[443].Open != 0 || st.PerTunnel[0].Streams != 0 {
			return fmt.Errorf("still open: %+v", st.Listeners[443])
		}
		return nil
	})
}
