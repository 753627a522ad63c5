package node

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/sni"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// The defaults of Config.
const (
	// DefaultMaxTunnels bounds the tunnels one node holds.
	DefaultMaxTunnels = 10_000
	// DefaultMaxTenantStreams bounds the streams one tenant has open on a
	// node, all its networks together: a daemon serves 16 TCP streams
	// (contract §6.6), so this leaves room for many networks.
	DefaultMaxTenantStreams = 1024
	// DefaultMaxConns bounds the connections one listener serves at once
	// (contract §6.1).
	DefaultMaxConns = 4096
	// DefaultHelloTimeout bounds the wait for the PROXY header and the
	// whole ClientHello.
	DefaultHelloTimeout = 10 * time.Second
	// DefaultIdleTimeout closes a connection that moved no byte either way
	// for that long.
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultDrainGrace is how long a draining node waits for its daemons
	// to move before it closes their tunnels (docs/api/tunnel-protocol.md
	// §3.6).
	DefaultDrainGrace = 30 * time.Second
)

// presenceTimeout bounds each presence call the node makes on its own
// (a release when a tunnel ends, a holder check): they must not hang a
// connection or a tunnel's end on NATS.
const presenceTimeout = 5 * time.Second

// Errors of Hold. Callers branch with errors.Is; CloseCodeFor maps each to
// the code to close the refused tunnel with.
var (
	// ErrTooManyTunnels: the node holds Config.MaxTunnels tunnels.
	ErrTooManyTunnels = errors.New("node: too many tunnels")
	// ErrDraining: the node is draining and takes no new tunnel.
	ErrDraining = errors.New("node: draining")
	// ErrNotAdmitted: the routing table refuses the network; the error
	// also wraps the table's reason (route.ErrNotEntitled, …).
	ErrNotAdmitted = errors.New("node: network not admitted")
	// ErrPresence: presence could not record the claim; the error also
	// wraps presence's.
	ErrPresence = errors.New("node: presence claim failed")
	// ErrStopped: the node's Run has ended.
	ErrStopped = errors.New("node: stopped")
)

// Config is a node's parts and limits. Table and Zone are required; a zero
// limit or duration takes its default, a negative duration turns its
// timer off.
type Config struct {
	// Self is this node's id in presence: the address other nodes forward
	// to. Required with Presence.
	Self presence.NodeID
	// Table is the region's routing table, run by the caller.
	Table *route.Table
	// Presence records which node holds which network's tunnel; run by the
	// caller. Nil for a lone node: no claims, and nothing is forwarded.
	Presence *presence.Presence
	// Zone is the region's tunnel parent: connections route by
	// <anything>.<slug>.<zone>.
	Zone sni.Zone
	// Forwarder carries connections for tunnels other nodes hold; nil
	// closes them.
	Forwarder Forwarder

	// MaxTunnels bounds the tunnels held; over it Hold refuses with
	// ErrTooManyTunnels (a tunnel replacing one of its network takes no
	// room).
	MaxTunnels int
	// MaxTenantStreams bounds the streams one tenant has open on the node,
	// all its networks together; over it a new connection is closed
	// (tenant_streams). Forwarded connections count on the node that
	// holds the tunnel.
	MaxTenantStreams int
	// MaxConns bounds each listener's connections; more are closed at once
	// (listener_full).
	MaxConns int
	// HelloLimit bounds the ClientHello's bytes (sni.DefaultLimit).
	HelloLimit int
	// HelloTimeout bounds the wait for the PROXY header and the whole
	// ClientHello (timeout).
	HelloTimeout time.Duration
	// IdleTimeout closes a connection that moved no byte either way for
	// that long.
	IdleTimeout time.Duration
	// DrainGrace is how long Drain waits for daemons to move before it
	// closes their tunnels; negative: no wait.
	DrainGrace time.Duration
	// DrainHint is the GOAWAY hint Drain sends (host or host:port of
	// another node, or empty for none).
	DrainHint string

	// UDPPorts gives each network whose v2 tunnel the node holds its
	// public UDP port (the region's pool), which the node then relays
	// (udp.go); nil: no UDP relay.
	UDPPorts UDPPorts
	// UDPBind is the address the relay's sockets bind (DefaultUDPBind,
	// every IPv4 and IPv6 address).
	UDPBind string
	// MaxUDPFlows bounds the client addresses one tunnel relays at once;
	// datagrams from more are dropped (too_many_flows).
	MaxUDPFlows int
	// UDPIdleTimeout forgets a client address, closing its flow, after
	// that long without a datagram either way; negative: never.
	UDPIdleTimeout time.Duration

	// Registerer, if set, receives the node's metrics.
	Registerer prometheus.Registerer
	// Logger receives the node's warnings and debug lines; slog.Default
	// when nil.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	c.MaxTunnels = cmp.Or(max(c.MaxTunnels, 0), DefaultMaxTunnels)
	c.MaxTenantStreams = cmp.Or(max(c.MaxTenantStreams, 0), DefaultMaxTenantStreams)
	c.MaxConns = cmp.Or(max(c.MaxConns, 0), DefaultMaxConns)
	c.HelloLimit = cmp.Or(max(c.HelloLimit, 0), sni.DefaultLimit)
	c.HelloTimeout = cmp.Or(c.HelloTimeout, DefaultHelloTimeout)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultIdleTimeout)
	c.DrainGrace = cmp.Or(c.DrainGrace, DefaultDrainGrace)
	c.UDPBind = cmp.Or(c.UDPBind, DefaultUDPBind)
	c.MaxUDPFlows = cmp.Or(max(c.MaxUDPFlows, 0), DefaultMaxUDPFlows)
	c.UDPIdleTimeout = cmp.Or(c.UDPIdleTimeout, DefaultUDPIdleTimeout)
	c.Logger = cmp.Or(c.Logger, slog.Default())
	return c
}

// Node is one tunnel node's data plane: the tunnels it holds and the
// listeners that route connections to them. Its methods are safe for
// concurrent use.
type Node struct {
	cfg      Config
	table    *route.Table
	presence *presence.Presence
	log      *slog.Logger
	running  atomic.Bool
	unwatch  []func()

	nets     keyed[ids.NetworkID] // serialises Hold and its end per network
	tenants  tenantStreams
	stats    counters
	udpStats udpCounters
	udpBind  netip.Addr

	mu sync.Mutex
	// Guarded by mu.
	tunnels   map[ids.NetworkID]*holding
	listeners map[uint16]*listenerCounters
	udp       map[ids.NetworkID]*udpRelay // the UDP relays of tunnels held
	draining  bool
	stopped   bool
	// bg owns the goroutines that close tunnels and wait for their end.
	// Add is called only with mu held and stopped false, so Run's Wait
	// never races an Add.
	bg sync.WaitGroup
}

// New returns a node over cfg, already following the table's lapses and
// presence's displacements. Call Run.
func New(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	switch {
	case cfg.Table == nil:
		return nil, errors.New("node: no routing table")
	case cfg.Zone.String() == "":
		return nil, errors.New("node: no zone")
	case cfg.Presence != nil:
		if _, err := presence.ParseNodeID(string(cfg.Self)); err != nil {
			return nil, fmt.Errorf("node: self: %w", err)
		}
	}
	bind, err := netip.ParseAddr(cfg.UDPBind)
	if err != nil {
		return nil, fmt.Errorf("node: UDP bind address: %w", err)
	}
	n := &Node{
		cfg: cfg, table: cfg.Table, presence: cfg.Presence, log: cfg.Logger,
		nets:      newKeyed[ids.NetworkID](),
		tenants:   tenantStreams{max: cfg.MaxTenantStreams, open: map[ids.TenantID]int{}},
		stats:     newCounters(),
		udpStats:  newUDPCounters(),
		udpBind:   bind,
		tunnels:   map[ids.NetworkID]*holding{},
		listeners: map[uint16]*listenerCounters{},
		udp:       map[ids.NetworkID]*udpRelay{},
	}
	if cfg.Registerer != nil {
		if err := cfg.Registerer.Register(collector{n}); err != nil {
			return nil, fmt.Errorf("node: metrics: %w", err)
		}
	}
	n.unwatch = append(n.unwatch, n.table.Subscribe(n.onLapse))
	if n.presence != nil {
		n.unwatch = append(n.unwatch, n.presence.Watch(n.onDisplaced))
	}
	return n, nil
}

// Run waits until ctx ends, then stops the node: it stops following the
// table and presence, refuses new tunnels (ErrStopped), closes those it
// holds with 1001 and returns once every goroutine it started has, the
// release of their presence claims included. Serve's listeners stop with
// their own contexts.
func (n *Node) Run(ctx context.Context) error {
	if !n.running.CompareAndSwap(false, true) {
		return errors.New("node: Run called twice")
	}
	<-ctx.Done()
	for _, stop := range n.unwatch {
		stop()
	}
	n.mu.Lock()
	n.stopped = true
	held := n.heldLocked()
	n.mu.Unlock()
	var wg sync.WaitGroup
	for _, h := range held {
		wg.Go(func() { _ = h.t.Close(tunnel.CloseGoingAway) })
	}
	wg.Wait()
	n.bg.Wait()
	return nil
}

// spawn runs fn on a goroutine the node owns, unless the node has
// stopped; it reports whether it did. mu is held.
func (n *Node) spawnLocked(fn func()) bool {
	if n.stopped {
		return false
	}
	n.bg.Go(fn)
	return true
}

// heldLocked lists the tunnels held; mu is held.
func (n *Node) heldLocked() []*holding {
	out := make([]*holding, 0, len(n.tunnels))
	for _, h := range n.tunnels {
		out = append(out, h)
	}
	return out
}
