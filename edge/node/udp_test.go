package node_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// ports is a fake of the region's port pool: each network gets a port of
// its own and keeps it, the first one port; the first fail calls fail.
type ports struct {
	t     *testing.T
	port  uint16
	fail  atomic.Int32
	calls atomic.Int32
	mu    sync.Mutex
	given map[ids.NetworkID]uint16
}

func newPorts(t *testing.T) *ports {
	return &ports{t: t, port: freeUDPPort(t), given: map[ids.NetworkID]uint16{}}
}

func (p *ports) AllocateUDPPort(_ context.Context, id ids.NetworkID) (uint16, error) {
	p.calls.Add(1)
	if p.fail.Add(-1) >= 0 {
		return 0, errors.New("the pool is not there")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if got, ok := p.given[id]; ok {
		return got, nil
	}
	port := p.port
	if len(p.given) > 0 {
		port = freeUDPPort(p.t)
	}
	p.given[id] = port
	return port, nil
}

// asked reports whether network id was given a port.
func (p *ports) asked(id ids.NetworkID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.given[id]
	return ok
}

// freeUDPPort is a UDP port of 127.0.0.1 that nothing binds now.
func freeUDPPort(t *testing.T) uint16 {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

// udpConfig is a node's configuration with a UDP relay on 127.0.0.1.
func udpConfig(p *ports) node.Config {
	return node.Config{UDPPorts: p, UDPBind: "127.0.0.1"}
}

// flowLog is what a daemon's WireGuard relay saw: the flows it accepted,
// and how many of them have ended.
type flowLog struct {
	mu    sync.Mutex
	flows []*tunnel.Flow
	ended int
}

func (l *flowLog) accepted() []*tunnel.Flow {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*tunnel.Flow(nil), l.flows...)
}

func (l *flowLog) endedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ended
}

// echoFlows makes d a daemon's WireGuard relay: it accepts every flow and
// answers each datagram with "<tag> <client> <datagram>", so that a client
// can tell which daemon answered and for which address.
func (d *daemon) echoFlows(tag string) *flowLog {
	l := &flowLog{}
	d.wg.Go(func() {
		for {
			fl, err := d.sess.AcceptFlow(context.Background())
			if err != nil {
				return
			}
			l.mu.Lock()
			l.flows = append(l.flows, fl)
			l.mu.Unlock()
			d.wg.Go(func() {
				defer func() {
					l.mu.Lock()
					l.ended++
					l.mu.Unlock()
				}()
				for {
					p, err := fl.Receive(context.Background())
					if err != nil {
						return
					}
					_ = fl.Send(fmt.Appendf(nil, "%s %s %s", tag, fl.Client(), p))
				}
			})
		}
	})
	return l
}

// udpClient is a WireGuard peer on the internet: a socket of its own, so
// an address (source port) of its own.
type udpClient struct {
	t    *testing.T
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newUDPClient(t *testing.T, port uint16) *udpClient {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &udpClient{t: t, conn: c, to: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(port)}}
}

func (c *udpClient) addr() netip.AddrPort { return c.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (c *udpClient) send(msg string) {
	c.t.Helper()
	if _, err := c.conn.WriteToUDP([]byte(msg), c.to); err != nil {
		c.t.Fatal(err)
	}
}

// exchange sends msg and wants the answer of daemon tag, for this
// client's address.
func (c *udpClient) exchange(tag, msg string) {
	c.t.Helper()
	c.send(msg)
	buf := make([]byte, 2048)
	_ = c.conn.SetReadDeadline(time.Now().Add(patience))
	n, err := c.conn.Read(buf)
	if err != nil {
		c.t.Fatalf("no answer to %q: %v", msg, err)
	}
	if want := fmt.Sprintf("%s %s %s", tag, c.addr(), msg); string(buf[:n]) != want {
		c.t.Fatalf("answer %q, want %q", buf[:n], want)
	}
}

// udpPort waits until tn relays UDP for network id, and returns the port.
func (tn *testNode) udpPort(id ids.NetworkID) uint16 {
	tn.t.Helper()
	var port uint16
	testenv.Eventually(tn.t, patience, func() error {
		p, ok := tn.UDPPort(id)
		if !ok {
			return fmt.Errorf("no UDP port bound for %s (stats %+v)", id, tn.Stats().UDP)
		}
		port = p
		return nil
	})
	return port
}

// WireGuard-shaped UDP: datagrams from several client addresses reach the
// daemon as one flow each, on the network's port, and each answer goes
// back to its own client. The ninth client address is dropped and
// counted; the socket closes when the tunnel ends.
func TestUDPRelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "wg")
	p := newPorts(t)
	cfg := udpConfig(p)
	reg := prometheus.NewPedanticRegistry()
	cfg.Registerer = reg
	tn := e.startNode("node-a", cfg)
	d, err := tn.dialDaemon("wg")
	if err != nil {
		t.Fatal(err)
	}
	flows := d.echoFlows("d1")
	port := tn.udpPort(id)
	if port != p.port {
		t.Fatalf("bound %d, want the pool's %d", port, p.port)
	}

	a, b := newUDPClient(t, port), newUDPClient(t, port)
	for i := range 3 {
		a.exchange("d1", fmt.Sprintf("handshake initiation %d", i))
		b.exchange("d1", fmt.Sprintf("keepalive %d", i))
	}
	b.exchange("d1", "") // a zero-length datagram is a datagram
	got := flows.accepted()
	if len(got) != 2 {
		t.Fatalf("the daemon accepted %d flows, want one per client address", len(got))
	}
	for _, fl := range got {
		if fl.DestPort() != port || (fl.Client() != a.addr() && fl.Client() != b.addr()) {
			t.Fatalf("flow to port %d for %s; want %d for %s or %s", fl.DestPort(), fl.Client(), port, a.addr(), b.addr())
		}
	}

	// Six more clients take the tunnel to its eight flows; a ninth is
	// dropped.
	for i := range 6 {
		newUDPClient(t, port).exchange("d1", fmt.Sprintf("client %d", i+3))
	}
	ninth := newUDPClient(t, port)
	ninth.send("one too many")
	testenv.Eventually(t, patience, func() error {
		if n := tn.Stats().UDP.Drops[node.DropTooManyFlows]; n != 1 {
			return fmt.Errorf("%d too_many_flows drops, want 1", n)
		}
		return nil
	})
	a.exchange("d1", "the others still flow")
	// A datagram is counted once Send has queued it, which may be after
	// its answer is back.
	testenv.Eventually(t, patience, func() error {
		st := tn.Stats()
		if len(flows.accepted()) != 8 || st.UDP.Flows != 8 || st.UDP.FlowsOpened != 8 || st.UDP.Relays != 1 ||
			st.UDP.DatagramsToDaemon != 14 || st.UDP.DatagramsToClient != 14 ||
			len(st.PerTunnel) != 1 || st.PerTunnel[0].UDPPort != port || st.PerTunnel[0].UDPFlows != 8 ||
			st.PerTunnel[0].DatagramsToDaemon != 14 || st.PerTunnel[0].DatagramsToClient != 14 {
			return fmt.Errorf("daemon flows %d, stats %+v", len(flows.accepted()), st)
		}
		return nil
	})

	// The same counters reach Prometheus.
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	metrics := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetValue()
			}
			metrics[key] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	for key, want := range map[string]float64{
		"wardnet_edge_udp_relays":                     1,
		"wardnet_edge_udp_flows":                      8,
		"wardnet_edge_udp_datagrams_total,to_daemon":  14,
		"wardnet_edge_udp_datagrams_total,to_client":  14,
		"wardnet_edge_udp_drops_total,too_many_flows": 1,
	} {
		if metrics[key] != want {
			t.Errorf("%s = %v, want %v", key, metrics[key], want)
		}
	}

	// The tunnel ends: the socket closes (the port can be bound again)
	// and its flows end.
	_ = d.sess.Close(frame.CloseCode(1000))
	testenv.Eventually(t, patience, func() error {
		st := tn.Stats()
		if st.UDP.Relays != 0 || st.UDP.Flows != 0 {
			return fmt.Errorf("relays %d, flows %d after the tunnel ended", st.UDP.Relays, st.UDP.Flows)
		}
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(port)})
		if err != nil {
			return fmt.Errorf("the port is still bound: %w", err)
		}
		return c.Close()
	})
	if _, ok := tn.UDPPort(id); ok {
		t.Fatal("a UDP port after the tunnel ended")
	}
}

// A newer tunnel of the network on the same node takes the socket over:
// the port does not change, and the clients' next datagrams reach the new
// daemon on flows of its own. (This node binds the default address, every
// IPv4 and IPv6 one: the client's IPv4 address reaches the daemon as
// such, and the answers find it.)
func TestUDPRelayFollowsTheNewerTunnel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "wg")
	p := newPorts(t)
	tn := e.startNode("node-a", node.Config{UDPPorts: p})
	first, err := tn.dialDaemon("wg")
	if err != nil {
		t.Fatal(err)
	}
	first.echoFlows("first")
	port := tn.udpPort(id)
	c := newUDPClient(t, port)
	c.exchange("first", "before")

	second, err := tn.dialDaemon("wg")
	if err != nil {
		t.Fatal(err)
	}
	secondFlows := second.echoFlows("second")
	if code := first.ended(); code != frame.CloseDisplaced {
		t.Fatalf("the first tunnel closed with %d, want displaced", code)
	}
	c.exchange("second", "after")
	if got, ok := tn.UDPPort(id); !ok || got != port {
		t.Fatalf("port %d (%v) after the reconnect, want %d", got, ok, port)
	}
	if n := len(secondFlows.accepted()); n != 1 {
		t.Fatalf("the second daemon accepted %d flows", n)
	}
	if f := tn.Stats().UDP.Failures; f["bind"] != 0 {
		t.Fatalf("failures %v: the socket was bound again", f)
	}
}

// A client address idle for the timeout is forgotten and its flow closed;
// its next datagram opens a new flow. A pool that fails at first is asked
// again.
func TestUDPRelayIdleFlowsAndRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "wg")
	p := newPorts(t)
	p.fail.Store(1)
	cfg := udpConfig(p)
	cfg.UDPIdleTimeout = 300 * time.Millisecond
	tn := e.startNode("node-a", cfg)
	d, err := tn.dialDaemon("wg")
	if err != nil {
		t.Fatal(err)
	}
	flows := d.echoFlows("d")
	port := tn.udpPort(id)
	if f := tn.Stats().UDP.Failures["allocate"]; f != 1 || p.calls.Load() != 2 {
		t.Fatalf("allocate failures %d, calls %d; want one failure, then the port", f, p.calls.Load())
	}
	c := newUDPClient(t, port)
	c.exchange("d", "first")
	testenv.Eventually(t, patience, func() error {
		st := tn.Stats().UDP
		if st.Flows != 0 || st.FlowEnds["idle"] != 1 {
			return fmt.Errorf("flows %d, ends %v", st.Flows, st.FlowEnds)
		}
		return nil
	})
	// The daemon's flow ended too (the node's CLOSE).
	testenv.Eventually(t, patience, func() error {
		if n := flows.endedCount(); n != 1 {
			return fmt.Errorf("%d of the daemon's flows ended", n)
		}
		return nil
	})
	c.exchange("d", "again")
	if n := len(flows.accepted()); n != 2 || tn.Stats().UDP.FlowsOpened != 2 {
		t.Fatalf("%d flows after the idle one, want a new one", n)
	}
}

// v1 tunnels relay no UDP: the pool is not asked for their network, while
// a v2 tunnel held after it gets its port.
func TestUDPRelayNotForV1(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ten := e.tenant()
	old, current := e.network(ten, "old"), e.network(ten, "current")
	p := newPorts(t)
	tn := e.startNode("node-a", udpConfig(p))
	if _, err := tn.dialV1Daemon("old"); err != nil {
		t.Fatal(err)
	}
	if _, err := tn.dialDaemon("current"); err != nil {
		t.Fatal(err)
	}
	tn.udpPort(current)
	if _, ok := tn.UDPPort(old); ok || p.asked(old) || tn.Stats().UDP.Relays != 1 {
		t.Fatalf("a v1 tunnel got a UDP relay (stats %+v)", tn.Stats().UDP)
	}
}

// A node without UDPPorts relays no UDP; a bad bind address is refused.
func TestUDPRelayConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.network(e.tenant(), "plain")
	tn := e.startNode("node-a", node.Config{})
	if _, err := tn.dialDaemon("plain"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tn.UDPPort(id); ok {
		t.Fatal("UDP without UDPPorts")
	}
	_, err := node.New(node.Config{Table: e.table, Zone: e.zone, UDPPorts: newPorts(t), UDPBind: "not-an-address"})
	if err == nil || !strings.Contains(err.Error(), "UDP bind") {
		t.Fatalf("bad bind address: %v", err)
	}
}
