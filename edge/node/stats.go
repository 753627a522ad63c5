package node

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// Stats is a snapshot of a node's counters, for metrics and tests. Counts
// are since the node began; Tunnels, Open and Streams are the present.
type Stats struct {
	// Tunnels is the number of tunnels held.
	Tunnels int
	// Holds counts the tunnels Hold took.
	Holds uint64
	// HoldRefusals counts Hold's refusals by reason: not_admitted,
	// too_many_tunnels, draining, stopped, presence.
	HoldRefusals map[string]uint64
	// Closes counts the tunnels the node closed, by close code (displaced,
	// network deprovisioned, entitlement lapsed, node draining).
	Closes map[frame.CloseCode]uint64
	// BytesToDaemon and BytesToClient are every connection's bytes, the
	// tunnels since ended included.
	BytesToDaemon, BytesToClient uint64
	// Listeners is each destination port's listener.
	Listeners map[uint16]ListenerStats
	// PerTunnel is each tunnel held now, by slug.
	PerTunnel []TunnelStats
	// UDP is the UDP relay's counters.
	UDP UDPStats
}

// ListenerStats are the counters of the listeners of one destination port.
type ListenerStats struct {
	// Open is the number of connections being served now.
	Open int
	// Accepted counts the connections accepted; Routed those given a
	// stream on a tunnel here, Forwarded those handed to the Forwarder.
	Accepted, Routed, Forwarded uint64
	// Refusals counts the connections closed without reaching a daemon, by
	// reason: the labels of sni.Reason, and proxy_header, unknown_slug,
	// not_admitted, no_tunnel, tenant_streams, open_failed,
	// forward_failed, listener_full (see the Reason constants).
	Refusals map[string]uint64
}

// TunnelStats are one held tunnel's counters.
type TunnelStats struct {
	Slug      naming.Slug
	NetworkID ids.NetworkID
	TenantID  ids.TenantID
	// Streams is the number of connections it carries now.
	Streams int
	// BytesToDaemon and BytesToClient are the bytes its connections
	// carried each way.
	BytesToDaemon, BytesToClient uint64
	// UDPPort is the network's UDP port the node relays, 0 while it has
	// none (a v1 tunnel, no UDP relay, or not yet bound); UDPFlows the
	// client addresses relayed now, and the datagrams the network's
	// relay carried each way on this node.
	UDPPort                              uint16
	UDPFlows                             int
	DatagramsToDaemon, DatagramsToClient uint64
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	st := Stats{
		Holds:         n.stats.holds.Load(),
		HoldRefusals:  n.stats.holdRefusals.snapshot(),
		Closes:        n.stats.closes.snapshot(),
		BytesToDaemon: n.stats.toDaemon.Load(),
		BytesToClient: n.stats.toClient.Load(),
		Listeners:     map[uint16]ListenerStats{},
	}
	u := &n.udpStats
	st.UDP = UDPStats{
		FlowsOpened: u.flowsOpened.Load(), FlowEnds: u.flowEnds.snapshot(),
		DatagramsToDaemon: u.dgramsToDaemon.Load(), DatagramsToClient: u.dgramsToClient.Load(),
		BytesToDaemon: u.bytesToDaemon.Load(), BytesToClient: u.bytesToClient.Load(),
		Drops: u.drops.snapshot(), Failures: u.failures.snapshot(),
	}
	n.mu.Lock()
	st.Tunnels = len(n.tunnels)
	for _, h := range n.tunnels {
		ts := TunnelStats{
			Slug: h.route.Slug, NetworkID: h.route.NetworkID, TenantID: h.route.TenantID,
			Streams:       int(h.streams.Load()),
			BytesToDaemon: h.toDaemon.Load(), BytesToClient: h.toClient.Load(),
		}
		if r := n.udp[h.route.NetworkID]; r != nil {
			ts.UDPPort, ts.UDPFlows = uint16(r.bound.Load()), r.flowCount()
			ts.DatagramsToDaemon, ts.DatagramsToClient = r.dgramsToDaemon.Load(), r.dgramsToClient.Load()
		}
		st.PerTunnel = append(st.PerTunnel, ts)
	}
	for _, r := range n.udp {
		if r.bound.Load() != 0 {
			st.UDP.Relays++
		}
		st.UDP.Flows += r.flowCount()
	}
	ls := maps.Clone(n.listeners)
	n.mu.Unlock()
	slices.SortFunc(st.PerTunnel, func(a, b TunnelStats) int { return cmp.Compare(a.Slug, b.Slug) })
	for port, l := range ls {
		st.Listeners[port] = l.snapshot()
	}
	return st
}

// counters are the node's own.
type counters struct {
	holds              atomic.Uint64
	holdRefusals       labelCounts[string]
	closes             labelCounts[frame.CloseCode]
	toDaemon, toClient atomic.Uint64
}

func newCounters() counters {
	return counters{holdRefusals: newLabelCounts[string](), closes: newLabelCounts[frame.CloseCode]()}
}

// labelCounts counts events by a label.
type labelCounts[K comparable] struct {
	mu *sync.Mutex
	m  map[K]uint64
}

func newLabelCounts[K comparable]() labelCounts[K] {
	return labelCounts[K]{mu: &sync.Mutex{}, m: map[K]uint64{}}
}

func (c labelCounts[K]) add(k K) {
	c.mu.Lock()
	c.m[k]++
	c.mu.Unlock()
}

func (c labelCounts[K]) snapshot() map[K]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}

// listenerCounters are the counters of one destination port's listeners.
type listenerCounters struct {
	open                        atomic.Int64
	accepted, routed, forwarded atomic.Uint64
	refusals                    labelCounts[string]
}

func (l *listenerCounters) snapshot() ListenerStats {
	return ListenerStats{
		Open: int(l.open.Load()), Accepted: l.accepted.Load(),
		Routed: l.routed.Load(), Forwarded: l.forwarded.Load(),
		Refusals: l.refusals.snapshot(),
	}
}

// listener returns the counters of port's listeners.
func (n *Node) listener(port uint16) *listenerCounters {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.listeners[port]
	if l == nil {
		l = &listenerCounters{refusals: newLabelCounts[string]()}
		n.listeners[port] = l
	}
	return l
}

// tenantStreams counts each tenant's open streams on the node.
type tenantStreams struct {
	max  int
	mu   sync.Mutex
	open map[ids.TenantID]int
}

// acquire counts one more stream for id, unless it has max.
func (t *tenantStreams) acquire(id ids.TenantID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.open[id] >= t.max {
		return false
	}
	t.open[id]++
	return true
}

func (t *tenantStreams) release(id ids.TenantID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.open[id]--; t.open[id] <= 0 {
		delete(t.open, id)
	}
}
