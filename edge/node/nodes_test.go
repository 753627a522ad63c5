package node_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/forward/forwardtest"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// The tests of this file run a region of several nodes on one NATS: one
// EVENTS stream and routing table, one presence bucket, and between the
// nodes edge/forward's mutual TLS with certificates of one CA.

// presenceTTL is the nodes' presence TTL: short, so that the claim of a
// node that died expires within the test.
const presenceTTL = 2 * time.Second

// The three nodes of the region.
const (
	nodeA = presence.NodeID("node-a")
	nodeB = presence.NodeID("node-b")
	nodeC = presence.NodeID("node-c")
)

// mesh is a region's nodes with their forward plane: a CA for the region,
// and one loopback listener per node for its forward acceptor, opened
// first so that every node's Dialer knows every address.
type mesh struct {
	*env
	ca    *forwardtest.CA
	peers forward.StaticPeers
	lns   map[presence.NodeID]net.Listener
}

func newMesh(t *testing.T, nodes ...presence.NodeID) *mesh {
	t.Helper()
	m := &mesh{env: newEnv(t), ca: forwardtest.NewCA(t, "wardnet.test"),
		peers: forward.StaticPeers{}, lns: map[presence.NodeID]net.Listener{}}
	for _, id := range nodes {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ln.Close() })
		m.lns[id], m.peers[id] = ln, ln.Addr().String()
	}
	return m
}

// id is the SPIFFE id of a tunneller of region.
func (m *mesh) id(region string) forward.ID { return m.ca.Tunneller(region) }

// meshNode is a node of the mesh: a testNode whose Forwarder is a
// forward.Dialer, with a forward.Acceptor delivering to it when the mesh
// has a listener for it.
type meshNode struct {
	*testNode
	dialer   *forward.Dialer
	acceptor *forward.Acceptor // nil for a node without one
	// kill stops the node as a crash would: its NATS connection first (so
	// that nothing it still does reaches presence), then its presence
	// heartbeats, node, SNI listener and acceptor, without Drain.
	kill func()
}

// start starts node id with leaf for its mesh certificate (and the CA's
// bundle), over its own NATS connection and a presence of presenceTTL.
func (m *mesh) start(id presence.NodeID, leaf forwardtest.Leaf, cfg node.Config) *meshNode {
	t := m.t
	t.Helper()
	certs := forwardtest.Load(t, m.ca.Files(t, leaf))
	dialer, err := forward.NewDialer(forward.DialerConfig{Certs: certs, Peers: m.peers, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(m.nats.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := presence.Open(m.ctx, js, presence.Config{TTL: presenceTTL, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Table, cfg.Presence, cfg.Self, cfg.Zone, cfg.Forwarder = m.table, p, id, m.zone, dialer
	cfg.Logger = testLogger(t)
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLife(t, string(id))
	l.run("presence", p.Run)
	l.run("node", n.Run)
	l.run("SNI listener", func(ctx context.Context) error {
		return n.Serve(ctx, proxyproto.Wrap(ln, proxyproto.Required), 443)
	})
	mn := &meshNode{dialer: dialer, kill: func() { nc.Close(); l.stop() }}
	if fln, ok := m.lns[id]; ok {
		mn.acceptor, err = forward.NewAcceptor(forward.AcceptorConfig{Certs: certs, Deliverer: n, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		l.run("forward acceptor", func(ctx context.Context) error { return mn.acceptor.Serve(ctx, fln) })
	}
	mn.testNode = &testNode{Node: n, t: t, env: m.env, id: id, presence: p, addr: ln.Addr().String(), holds: make(chan error, 16)}
	mn.endpoint = httptest.NewServer(http.HandlerFunc(mn.serveTunnel))
	t.Cleanup(mn.endpoint.Close)
	return mn
}

// startRegion starts A, B and C, each with a leaf of the region.
func (m *mesh) startRegion(cfgB node.Config) (a, b, c *meshNode) {
	m.t.Helper()
	a = m.start(nodeA, m.ca.Node(m.t, m.id(string(region))), node.Config{})
	b = m.start(nodeB, m.ca.Node(m.t, m.id(string(region))), cfgB)
	c = m.start(nodeC, m.ca.Node(m.t, m.id(string(region))), node.Config{})
	return a, b, c
}

// life runs a node's parts under one context, until stop or the test's
// end.
type life struct {
	t      *testing.T
	name   string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func newLife(t *testing.T, name string) *life {
	ctx, cancel := context.WithCancel(context.Background())
	l := &life{t: t, name: name, ctx: ctx, cancel: cancel}
	t.Cleanup(l.stop)
	return l
}

func (l *life) run(what string, fn func(context.Context) error) {
	l.wg.Go(func() {
		if err := fn(l.ctx); err != nil && l.ctx.Err() == nil {
			l.t.Errorf("%s of %s: %v", what, l.name, err)
		}
	})
}

// stop cancels the context and waits for every part to return.
func (l *life) stop() {
	l.once.Do(func() {
		l.cancel()
		done := make(chan struct{})
		go func() { l.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(patience):
			l.t.Errorf("%s did not stop within %s", l.name, patience)
		}
	})
}

// waitHolder waits until presence, as tn reads it, names want as the
// network's holder ("" for none).
func (tn *testNode) waitHolder(id ids.NetworkID, want presence.NodeID) {
	tn.t.Helper()
	testenv.Eventually(tn.t, patience, func() error {
		if got := tn.holder(id); got != want {
			return fmt.Errorf("holder %q, want %q", got, want)
		}
		return nil
	})
}

// listenerStats is the node's SNI listener's counters.
func (tn *testNode) listenerStats() node.ListenerStats { return tn.Stats().Listeners[443] }

// A real TLS client reaching node A for a network whose tunnel node B
// holds is forwarded to B over mutual TLS: the handshake completes with
// the daemon's certificate, the client's address reaches the daemon's
// OPEN, and bytes flow both ways, each direction ended by a half-close.
func TestForwardedThroughTheMesh(t *testing.T) {
	t.Parallel()
	m := newMesh(t, nodeA, nodeB, nodeC)
	home := m.network(m.tenant(), "home")
	a, b, c := m.startRegion(node.Config{})
	d, err := b.dialDaemon("home")
	if err != nil {
		t.Fatalf("Hold on B: %v", err)
	}
	a.waitHolder(home, nodeB)

	tc, err := dialTLS(dialRaw(t, a.addr, client), "www.home."+zoneName, d.cert, "h2")
	if err != nil {
		t.Fatalf("TLS through A: %v", err)
	}
	got := d.next()
	if got.err != nil {
		t.Fatalf("the daemon's handshake: %v", got.err)
	}
	if got.client != client || got.destPort != 443 || got.serverName != "www.home."+zoneName {
		t.Errorf("OPEN for %s port %d, name %q; want %s port 443, www.home.%s", got.client, got.destPort, got.serverName, client, zoneName)
	}
	cs := tc.ConnectionState()
	if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, d.cert.der) || cs.NegotiatedProtocol != "h2" {
		t.Errorf("the client did not get the daemon's certificate and ALPN (%q)", cs.NegotiatedProtocol)
	}
	echo(t, tc, "from the client on A to the daemon on B")
	echo(t, tc, "and back again")
	if err := tc.CloseWrite(); err != nil { // close_notify: the daemon's echo ends
		t.Fatal(err)
	}
	_ = tc.SetReadDeadline(time.Now().Add(patience))
	if rest, err := io.ReadAll(tc); err != nil || len(rest) != 0 {
		t.Fatalf("after the half-close: %q, %v; want a clean end", rest, err)
	}
	_ = tc.Close()

	testenv.Eventually(t, patience, func() error {
		la, lb := a.listenerStats(), b.listenerStats()
		switch {
		case la.Forwarded != 1 || la.Routed != 0 || la.Open != 0 || len(la.Refusals) != 0:
			return fmt.Errorf("A's listener %+v, want one forwarded", la)
		case lb.Routed != 1 || lb.Accepted != 0 || lb.Forwarded != 0 || len(lb.Refusals) != 0:
			return fmt.Errorf("B's counters %+v, want one routed by Deliver", lb)
		case a.dialer.Stats().Forwarded != 1:
			return fmt.Errorf("A's dialer %+v", a.dialer.Stats())
		case b.acceptor.Stats().Delivered != 1 || b.acceptor.Stats().Open != 0:
			return fmt.Errorf("B's acceptor %+v", b.acceptor.Stats())
		}
		if pt := b.Stats().PerTunnel; len(pt) != 1 || pt[0].Streams != 0 || pt[0].BytesToDaemon == 0 || pt[0].BytesToClient == 0 {
			return fmt.Errorf("B's tunnel %+v, want its one stream ended", pt)
		}
		return nil
	})
	if st := c.listenerStats(); st.Routed != 0 || c.acceptor.Stats().Accepted != 0 {
		t.Errorf("C took part: listener %+v, acceptor %+v", st, c.acceptor.Stats())
	}
}

// Node B dies (no Drain: its NATS connection, heartbeats, node and
// acceptor stop at once). Its presence claim expires after the TTL; the
// daemon, reconnecting as the agent does, dials C; new connections
// through A reach the tunnel on C.
func TestHolderKilled(t *testing.T) {
	t.Parallel()
	m := newMesh(t, nodeA, nodeB, nodeC)
	home := m.network(m.tenant(), "home")
	a, b, c := m.startRegion(node.Config{})
	d, err := b.dialDaemon("home")
	if err != nil {
		t.Fatalf("Hold on B: %v", err)
	}
	a.waitHolder(home, nodeB)
	echo(t, a.connect("home", d.cert), "before the crash")
	d.next()

	b.kill()
	d.ended()
	// Until the claim expires A forwards to a node that is gone, then it
	// finds no holder: either way the client is closed, never left open.
	failed := func() uint64 {
		r := a.listenerStats().Refusals
		return r[node.ReasonForwardFailed] + r[node.ReasonNoTunnel]
	}
	if _, err := dialTLS(dialRaw(t, a.addr, client), "www.home."+zoneName, d.cert); err == nil {
		t.Fatal("TLS through A to a dead holder")
	}
	testenv.Eventually(t, patience, func() error {
		if n := failed(); n != 1 {
			return fmt.Errorf("forward_failed + no_tunnel = %d, want 1: %v", n, a.listenerStats().Refusals)
		}
		return nil
	})
	start := time.Now()
	a.waitHolder(home, "")
	t.Logf("B's claim expired %s after the first refusal (TTL %s)", time.Since(start).Round(time.Millisecond), presenceTTL)

	d2, err := c.dialDaemon("home")
	if err != nil {
		t.Fatalf("Hold on C: %v", err)
	}
	a.waitHolder(home, nodeC)
	tc := a.connect("home", d2.cert)
	if got := d2.next(); got.err != nil || got.client != client {
		t.Fatalf("the daemon on C saw %+v", got)
	}
	echo(t, tc, "through A to the tunnel on C")
	testenv.Eventually(t, patience, func() error {
		if st := c.listenerStats(); st.Routed != 1 {
			return fmt.Errorf("C's counters %+v, want one routed", st)
		}
		if st := a.dialer.Stats(); st.Forwarded != 2 {
			return fmt.Errorf("A's dialer %+v, want two forwarded (to B, then C)", st)
		}
		return nil
	})
}

// Node B drains: the daemon gets GOAWAY, dials C, and new connections
// through A reach C, while a stream opened through B before the drain
// keeps flowing until it ends: no stream is cut by the move.
func TestHolderDrained(t *testing.T) {
	t.Parallel()
	m := newMesh(t, nodeA, nodeB, nodeC)
	home := m.network(m.tenant(), "home")
	a, b, c := m.startRegion(node.Config{DrainGrace: time.Minute, DrainHint: string(nodeC)})
	d, err := b.dialDaemon("home")
	if err != nil {
		t.Fatalf("Hold on B: %v", err)
	}
	a.waitHolder(home, nodeB)
	inFlight := a.connect("home", d.cert)
	d.next()
	echo(t, inFlight, "before the drain")

	drained := make(chan error, 1)
	go func() { drained <- b.Drain(context.Background()) }()
	select {
	case ga := <-d.sess.GoAwayReceived():
		if ga.Reason != frame.GoAwayDraining || ga.Hint != string(nodeC) {
			t.Fatalf("GOAWAY %+v", ga)
		}
	case <-time.After(patience):
		t.Fatal("no GOAWAY")
	}
	echo(t, inFlight, "during the drain")

	// The daemon moves: a new tunnel on C, the old one kept for its
	// streams (make before break).
	d2, err := c.dialDaemon("home")
	if err != nil {
		t.Fatalf("Hold on C: %v", err)
	}
	a.waitHolder(home, nodeC)
	moved := a.connect("home", d2.cert)
	if got := d2.next(); got.err != nil || got.client != client {
		t.Fatalf("the daemon on C saw %+v", got)
	}
	echo(t, moved, "a new connection after the move")

	// The stream opened before the drain still flows, then ends cleanly.
	echo(t, inFlight, "the old stream, after the move")
	if err := inFlight.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = inFlight.SetReadDeadline(time.Now().Add(patience))
	if rest, err := io.ReadAll(inFlight); err != nil || len(rest) != 0 {
		t.Fatalf("the old stream's end: %q, %v; want a clean end", rest, err)
	}
	_ = inFlight.Close()
	testenv.Eventually(t, patience, func() error {
		if st := b.Stats(); len(st.PerTunnel) != 1 || st.PerTunnel[0].Streams != 0 {
			return fmt.Errorf("B's tunnels %+v, want the old one without streams", st.PerTunnel)
		}
		return nil
	})
	// Its streams ended, the daemon closes the old tunnel; the drain ends.
	_ = d.sess.Close(tunnel.CloseNormal)
	select {
	case err := <-drained:
		if err != nil {
			t.Fatalf("Drain: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Drain did not return")
	}
	if st := b.Stats(); st.Tunnels != 0 || len(st.Closes) != 0 {
		t.Errorf("B's stats %+v: the node closed a tunnel", st)
	}
	if st := b.listenerStats(); st.Routed != 1 || len(st.Refusals) != 0 {
		t.Errorf("B's counters %+v, want the one stream routed", st)
	}
	if st := c.listenerStats(); st.Routed != 1 {
		t.Errorf("C's counters %+v, want one routed", st)
	}
	echo(t, moved, "still on C")
}

// B's acceptor refuses what is not a tunneller of its region chained to
// the region's CA: a node with a forged certificate (self-signed, with
// the right SPIFFE id) cannot forward to it, nor a peer with a certificate
// of the CA for another region. The refused forwards are counted at both
// ends and the clients are closed; nothing reaches the daemon.
func TestForwardRefusesForeignPeers(t *testing.T) {
	t.Parallel()
	m := newMesh(t, nodeB)
	home := m.network(m.tenant(), "home")
	b := m.start(nodeB, m.ca.Node(t, m.id(string(region))), node.Config{})
	forged := m.start("node-x", forwardtest.SelfSigned(t, m.id(string(region))), node.Config{})
	foreign := m.start("node-y", m.ca.Node(t, m.id("us-east")), node.Config{})
	d, err := b.dialDaemon("home")
	if err != nil {
		t.Fatalf("Hold on B: %v", err)
	}
	b.waitHolder(home, nodeB)

	waitRefused := func(reason string, want uint64) {
		t.Helper()
		testenv.Eventually(t, patience, func() error {
			if got := b.acceptor.Stats().Refusals[reason]; got != want {
				return fmt.Errorf("B's acceptor refused %d for %s, want %d: %+v", got, reason, want, b.acceptor.Stats())
			}
			return nil
		})
	}
	// through checks that a client through tn is closed, its forward
	// counted as failed.
	through := func(tn *meshNode) {
		t.Helper()
		if _, err := dialTLS(dialRaw(t, tn.addr, client), "www.home."+zoneName, d.cert); err == nil {
			t.Fatalf("TLS through %s reached the daemon", tn.id)
		}
		tn.waitRefusals(node.ReasonForwardFailed, 1)
		if st := tn.listenerStats(); st.Forwarded != 1 {
			t.Errorf("%s's listener %+v", tn.id, st)
		}
	}

	// The forged certificate: B finds it chained to no CA it trusts.
	through(forged)
	waitRefused(forward.ReasonUntrusted, 1)
	if st := forged.dialer.Stats(); st.Forwarded != 0 || st.Failures[forward.ReasonRefused] != 1 {
		t.Errorf("the forged node's dialer %+v, want one refused", st)
	}

	// A node of another region refuses B first (a peer of another region,
	// to it), before its handshake ends: B sees that handshake fail.
	through(foreign)
	waitRefused(forward.ReasonHandshake, 1)
	if st := foreign.dialer.Stats(); st.Forwarded != 0 || st.Failures[forward.ReasonOtherRegion] != 1 {
		t.Errorf("the other region's dialer %+v, want one other_region", st)
	}
	// A peer that presents such a certificate anyway, with a valid
	// preamble, is refused by B's own check.
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS13, InsecureSkipVerify: true,
		Certificates: []tls.Certificate{m.ca.Node(t, m.id("us-east")).TLSCertificate(t)},
	}
	pre := forward.Preamble{Slug: "home", NetworkID: home, DestPort: 443, Client: client, FirstBytes: []byte("\x16\x03\x01")}
	if err := sendPreamble(t, m.peers[nodeB], cfg, pre); err == nil {
		t.Fatal("B accepted a forward from another region")
	}
	waitRefused(forward.ReasonOtherRegion, 1)

	if st := b.acceptor.Stats(); st.Delivered != 0 || st.Accepted != 3 {
		t.Errorf("B's acceptor %+v, want three accepted, none delivered", st)
	}
	if st := b.listenerStats(); st.Routed != 0 {
		t.Errorf("B routed %+v", st)
	}
	select {
	case a := <-d.accepted:
		t.Fatalf("a refused forward reached the daemon: %+v", a)
	default:
	}
}

// sendPreamble is a forwarding peer made by hand: it dials addr with cfg,
// sends pre and reads the answer; an error means the acceptor did not
// accept.
func sendPreamble(t *testing.T, addr string, cfg *tls.Config, pre forward.Preamble) error {
	t.Helper()
	b, err := pre.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(patience))
	if _, err := c.Write(b); err != nil {
		return err
	}
	var status [1]byte
	if _, err := io.ReadFull(c, status[:]); err != nil {
		return err
	}
	if status[0] != 0 {
		return fmt.Errorf("status %d", status[0])
	}
	return nil
}
