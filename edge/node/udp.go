package node

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// The UDP relay (contract §6.6, docs/api/tunnel-protocol.md §3.5): a
// network whose v2 tunnel this node holds gets its public UDP port
// (Config.UDPPorts, the region's pool), and the node listens on it. Each
// client address becomes one flow on the tunnel (FLOW_OPEN with the port
// and the address, then one DATAGRAM per datagram, no READY), at most
// Config.MaxUDPFlows at once; the daemon's answers on a flow go back to
// its address. The socket lives as long as the network's tunnel here: a
// newer tunnel of the network on this node takes it over, and it closes
// when the last one ends. The port stays the network's (the pool keeps
// it), so a daemon that reconnects, here or to another node, is reached at
// the same port. v1 tunnels relay no UDP: v1 could carry a flow as a
// CONNECT to another port, but the daemons that speak only v1 predate the
// relay.

// The defaults of the UDP relay's Config fields.
const (
	// DefaultUDPBind is the address the relay's sockets bind.
	DefaultUDPBind = "0.0.0.0"
	// DefaultMaxUDPFlows bounds the client addresses one tunnel relays at
	// once: the daemon's cap (contract §6.6).
	DefaultMaxUDPFlows = tunnel.DefaultMaxFlows
	// DefaultUDPIdleTimeout forgets a client address (and closes its
	// flow) after that long without a datagram either way.
	DefaultUDPIdleTimeout = tunnel.DefaultFlowIdleTimeout
)

// Why the relay dropped a datagram from a client, as metric labels.
const (
	// DropTooManyFlows: the tunnel relays Config.MaxUDPFlows client
	// addresses already (or the session's own cap was reached).
	DropTooManyFlows = "too_many_flows"
	// DropOpenFailed: the tunnel could not open a flow (it is ending, or
	// going away).
	DropOpenFailed = "open_failed"
	// DropSendFailed: the flow ended under the datagram and a new one
	// could not take it.
	DropSendFailed = "send_failed"
	// DropWriteFailed: an answer could not be written to its client.
	DropWriteFailed = "write_failed"
)

// Why a flow ended, as metric labels.
const (
	flowIdle    = "idle"     // the node's idle timeout
	flowClosed  = "closed"   // the daemon closed it, or its own idle timeout
	flowRefused = "refused"  // the daemon refused it (its cap of 8)
	flowReset   = "reset"    // reset by either side
	flowEnded   = "ended"    // the tunnel or the relay ended
	flowStale   = "replaced" // its tunnel was displaced by a newer one
)

// What the relay failed at, besides datagrams, as metric labels.
const (
	failAllocate = "allocate" // Config.UDPPorts refused or failed
	failBind     = "bind"     // the port could not be bound
	failRead     = "read"     // reading the socket failed
)

// Retries of the port's allocation and binding.
const (
	udpRetryMin  = 250 * time.Millisecond
	udpRetryMax  = 30 * time.Second
	allocTimeout = 10 * time.Second
	// maxDatagram holds any UDP datagram (65 507 bytes over IPv4, 65 527
	// over IPv6).
	maxDatagram = 65535
)

// UDPPorts gives a network its public UDP port in the region's pool: the
// same port for as long as the network lives, allocated on the first call
// (commands/tunneller.App.AllocateUDPPort, through UDPPortsFunc).
type UDPPorts interface {
	AllocateUDPPort(ctx context.Context, networkID ids.NetworkID) (uint16, error)
}

// UDPPortsFunc adapts a function to UDPPorts.
type UDPPortsFunc func(ctx context.Context, networkID ids.NetworkID) (uint16, error)

// AllocateUDPPort implements UDPPorts.
func (f UDPPortsFunc) AllocateUDPPort(ctx context.Context, networkID ids.NetworkID) (uint16, error) {
	return f(ctx, networkID)
}

// Flow is one client address's UDP traffic on a tunnel (v2's
// *tunnel.Flow): Send queues a datagram to the daemon without waiting,
// Receive returns the daemon's next one, Close ends it both ways.
type Flow interface {
	Send(p []byte) error
	Receive(ctx context.Context) ([]byte, error)
	Close() error
}

// flowOpener is a Tunnel that carries UDP (V2's).
type flowOpener interface {
	OpenFlow(destPort uint16, client netip.AddrPort) (Flow, error)
}

// UDPStats are the UDP relay's counters, every tunnel's together.
type UDPStats struct {
	// Relays is the number of UDP sockets bound now, one per tunnel with
	// a port; Flows the client addresses they relay now.
	Relays, Flows int
	// FlowsOpened counts the flows opened on tunnels; FlowEnds the flows
	// ended, by reason: idle, closed, refused, reset, ended, replaced.
	FlowsOpened uint64
	FlowEnds    map[string]uint64
	// Datagrams and bytes carried, each way.
	DatagramsToDaemon, DatagramsToClient uint64
	BytesToDaemon, BytesToClient         uint64
	// Drops counts the datagrams dropped, by reason: too_many_flows,
	// open_failed, send_failed, write_failed (see the Drop constants).
	Drops map[string]uint64
	// Failures counts what kept or took a tunnel's socket away: allocate
	// (the port pool refused or failed; retried), bind (retried), read.
	Failures map[string]uint64
}

// udpCounters are the node's UDP counters.
type udpCounters struct {
	flowsOpened                    atomic.Uint64
	flowEnds                       labelCounts[string]
	dgramsToDaemon, dgramsToClient atomic.Uint64
	bytesToDaemon, bytesToClient   atomic.Uint64
	drops, failures                labelCounts[string]
}

func newUDPCounters() udpCounters {
	return udpCounters{flowEnds: newLabelCounts[string](), drops: newLabelCounts[string](), failures: newLabelCounts[string]()}
}

// UDPPort is the UDP port the node relays for network id, once its tunnel
// here has been given one and the socket is bound.
func (n *Node) UDPPort(id ids.NetworkID) (uint16, bool) {
	n.mu.Lock()
	r := n.udp[id]
	n.mu.Unlock()
	if r == nil {
		return 0, false
	}
	p := uint16(r.bound.Load())
	return p, p != 0
}

// attachUDPLocked gives h, the network's new tunnel here, the network's
// relay: a new one, or the one a tunnel it displaced had. A tunnel that
// carries no UDP (v1) ends the relay. mu is held.
func (n *Node) attachUDPLocked(h *holding) {
	if n.cfg.UDPPorts == nil {
		return
	}
	id := h.route.NetworkID
	r := n.udp[id]
	fo, ok := h.t.(flowOpener)
	if !ok {
		if r != nil {
			delete(n.udp, id)
			r.close()
		}
		return
	}
	if r != nil {
		r.attach(fo)
		return
	}
	r = newUDPRelay(n, h, fo)
	if n.spawnLocked(r.run) {
		n.udp[id] = r
	}
}

// detachUDPLocked ends the relay of h's network, h having been its tunnel
// here. mu is held.
func (n *Node) detachUDPLocked(h *holding) {
	id := h.route.NetworkID
	if r := n.udp[id]; r != nil {
		delete(n.udp, id)
		r.close()
	}
}

// udpRelay is the UDP socket of one network's tunnel on this node.
type udpRelay struct {
	n      *Node
	id     ids.NetworkID
	ctx    context.Context
	cancel context.CancelFunc
	bound  atomic.Uint32 // the port, once bound
	wg     sync.WaitGroup
	// Datagrams carried each way, every tunnel of the network here
	// together.
	dgramsToDaemon, dgramsToClient atomic.Uint64

	mu sync.Mutex
	// Guarded by mu.
	tun   flowOpener
	flows map[netip.AddrPort]*udpFlow
}

// udpFlow is one client address's flow.
type udpFlow struct {
	f      Flow
	tun    flowOpener // the tunnel it is on
	client netip.AddrPort
	last   atomic.Int64 // unix nanoseconds of the last datagram either way
	ended  atomic.Bool
}

func (f *udpFlow) touch() { f.last.Store(time.Now().UnixNano()) }

func newUDPRelay(n *Node, h *holding, fo flowOpener) *udpRelay {
	ctx, cancel := context.WithCancel(context.Background())
	return &udpRelay{n: n, id: h.route.NetworkID, ctx: ctx, cancel: cancel, tun: fo,
		flows: map[netip.AddrPort]*udpFlow{}}
}

// attach makes fo, the network's newer tunnel, the relay's: new client
// addresses, and those whose flow was on the older tunnel, get flows on it.
func (r *udpRelay) attach(fo flowOpener) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tun = fo
}

// close ends the relay: its socket closes and its flows end.
func (r *udpRelay) close() { r.cancel() }

// run allocates the port, binds it and relays until the relay is closed.
func (r *udpRelay) run() {
	defer r.wg.Wait()
	defer r.cancel()
	port, ok := r.allocate()
	if !ok {
		return
	}
	conn, ok := r.bind(port)
	if !ok {
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(r.ctx, func() { _ = conn.Close() })
	defer stop()
	r.bound.Store(uint32(port))
	r.n.log.Debug("node: UDP relay bound", "network", r.id, "port", port)
	r.wg.Go(r.sweep)
	r.read(conn, port)
	r.bound.Store(0)
	r.endFlows(flowEnded)
}

// allocate asks for the network's port until it has one or the relay is
// closed.
func (r *udpRelay) allocate() (uint16, bool) {
	pause := time.Duration(0)
	for {
		ctx, cancel := context.WithTimeout(r.ctx, allocTimeout)
		port, err := r.n.cfg.UDPPorts.AllocateUDPPort(ctx, r.id)
		cancel()
		if err == nil && port != 0 {
			return port, true
		}
		if r.ctx.Err() != nil {
			return 0, false
		}
		if err == nil {
			err = errors.New("port 0")
		}
		pause = min(max(2*pause, udpRetryMin), udpRetryMax)
		r.n.udpStats.failures.add(failAllocate)
		r.n.log.Warn("node: UDP port allocation", "network", r.id, "err", err, "retry", pause)
		if !sleep(r.ctx, pause) {
			return 0, false
		}
	}
}

// bind binds the port until it can or the relay is closed.
func (r *udpRelay) bind(port uint16) (*net.UDPConn, bool) {
	addr := net.UDPAddrFromAddrPort(netip.AddrPortFrom(r.n.udpBind, port))
	pause := time.Duration(0)
	for {
		conn, err := net.ListenUDP("udp", addr)
		if err == nil {
			return conn, true
		}
		pause = min(max(2*pause, udpRetryMin), udpRetryMax)
		r.n.udpStats.failures.add(failBind)
		r.n.log.Warn("node: UDP relay bind", "network", r.id, "addr", addr, "err", err, "retry", pause)
		if !sleep(r.ctx, pause) {
			return nil, false
		}
	}
}

// read relays the clients' datagrams to the daemon until the socket
// closes.
func (r *udpRelay) read(conn *net.UDPConn, port uint16) {
	buf := make([]byte, maxDatagram)
	pause := time.Duration(0)
	for {
		k, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if r.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			pause = min(max(2*pause, minAcceptPause), maxAcceptPause)
			r.n.udpStats.failures.add(failRead)
			r.n.log.Warn("node: UDP relay read", "network", r.id, "err", err, "pause", pause)
			if !sleep(r.ctx, pause) {
				return
			}
			continue
		}
		pause = 0
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		r.toDaemon(conn, port, from, buf[:k])
	}
}

// toDaemon sends one client datagram on the client's flow, opening it
// when there is none; a flow that ended under it is replaced once.
func (r *udpRelay) toDaemon(conn *net.UDPConn, port uint16, from netip.AddrPort, p []byte) {
	st := &r.n.udpStats
	for attempt := 0; ; attempt++ {
		fl, reason := r.flowFor(conn, port, from)
		if fl == nil {
			st.drops.add(reason)
			return
		}
		if err := fl.f.Send(p); err != nil {
			r.forget(fl, endReason(err))
			if attempt == 0 {
				continue
			}
			st.drops.add(DropSendFailed)
			return
		}
		fl.touch()
		st.dgramsToDaemon.Add(1)
		st.bytesToDaemon.Add(uint64(len(p)))
		r.dgramsToDaemon.Add(1)
		return
	}
}

// flowFor is from's flow on the relay's tunnel, opened if need be, or
// the reason there is none.
func (r *udpRelay) flowFor(conn *net.UDPConn, port uint16, from netip.AddrPort) (*udpFlow, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fl := r.flows[from]; fl != nil {
		if fl.tun == r.tun {
			return fl, ""
		}
		r.forgetLocked(fl, flowStale) // on a tunnel a newer one displaced
	}
	if len(r.flows) >= r.n.cfg.MaxUDPFlows {
		return nil, DropTooManyFlows
	}
	f, err := r.tun.OpenFlow(port, from)
	if errors.Is(err, tunnel.ErrTooManyStreams) {
		return nil, DropTooManyFlows
	}
	if err != nil {
		r.n.log.Debug("node: UDP flow", "network", r.id, "client", from, "err", err)
		return nil, DropOpenFailed
	}
	fl := &udpFlow{f: f, tun: r.tun, client: from}
	fl.touch()
	r.flows[from] = fl
	r.n.udpStats.flowsOpened.Add(1)
	r.wg.Go(func() { r.toClient(conn, fl) })
	return fl, ""
}

// toClient writes the daemon's datagrams on fl back to its client until
// the flow ends.
func (r *udpRelay) toClient(conn *net.UDPConn, fl *udpFlow) {
	st := &r.n.udpStats
	for {
		p, err := fl.f.Receive(r.ctx)
		if err != nil {
			r.forget(fl, endReason(err))
			return
		}
		fl.touch()
		if _, err := conn.WriteToUDPAddrPort(p, fl.client); err != nil {
			st.drops.add(DropWriteFailed)
			continue
		}
		st.dgramsToClient.Add(1)
		st.bytesToClient.Add(uint64(len(p)))
		r.dgramsToClient.Add(1)
	}
}

// sweep forgets the client addresses idle for Config.UDPIdleTimeout,
// closing their flows.
func (r *udpRelay) sweep() {
	idle := r.n.cfg.UDPIdleTimeout
	if idle <= 0 {
		return
	}
	t := time.NewTicker(min(max(idle/4, 10*time.Millisecond), 5*time.Second))
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case now := <-t.C:
			r.mu.Lock()
			for _, fl := range r.flows {
				if now.Sub(time.Unix(0, fl.last.Load())) >= idle {
					r.forgetLocked(fl, flowIdle)
				}
			}
			r.mu.Unlock()
		}
	}
}

// forget ends fl, once, for reason.
func (r *udpRelay) forget(fl *udpFlow, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forgetLocked(fl, reason)
}

// forgetLocked ends fl, once, for reason; mu is held. Close only queues
// a frame, so it does not wait on the tunnel.
func (r *udpRelay) forgetLocked(fl *udpFlow, reason string) {
	if !fl.ended.CompareAndSwap(false, true) {
		return
	}
	if r.flows[fl.client] == fl {
		delete(r.flows, fl.client)
	}
	_ = fl.f.Close()
	r.n.udpStats.flowEnds.add(reason)
}

// endFlows ends every flow, for reason.
func (r *udpRelay) endFlows(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, fl := range r.flows {
		r.forgetLocked(fl, reason)
	}
}

// flowCount is the number of client addresses relayed now.
func (r *udpRelay) flowCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.flows)
}

// endReason is the label of the error a flow ended with.
func endReason(err error) string {
	var refused *tunnel.RefusedError
	var reset *tunnel.ResetError
	switch {
	case errors.Is(err, tunnel.ErrFlowIdle):
		return flowClosed // the session's own idle sweep, or the daemon's
	case errors.As(err, &refused):
		return flowRefused
	case errors.As(err, &reset):
		return flowReset
	case errors.Is(err, io.EOF):
		return flowClosed
	}
	return flowEnded
}
