package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// The reasons Hold refuses a tunnel, as metric labels.
const (
	holdNotAdmitted    = "not_admitted"
	holdTooMany        = "too_many_tunnels"
	holdDraining       = "draining"
	holdStopped        = "stopped"
	holdPresenceFailed = "presence"
)

// holding is one tunnel the node holds for a network.
type holding struct {
	route route.Route
	t     Tunnel

	released    chan struct{} // closed by the release Hold returned
	releaseOnce sync.Once
	finishOnce  sync.Once
	ended       chan struct{} // closed once the hold has ended

	streams  atomic.Int64  // open now
	toDaemon atomic.Uint64 // bytes the clients sent
	toClient atomic.Uint64 // bytes the daemon sent
}

// Hold makes t the tunnel of network r on this node, once the routing
// table admits r.NetworkID and presence records the claim (when the node
// has presence); a tunnel of the same network held here before is closed
// with 4000 (displaced). From then on the node routes r's connections to
// t, and closes t itself when the network lapses (4001, 4002), when
// another node claims it (4000), or when Drain's grace ends (4003).
//
// The hold ends when t is done, or when the caller calls release: the node
// forgets t and releases its presence claim, unless a newer tunnel of the
// network took t's place. release does not close t, and may be called more
// than once; it returns once the claim is released.
//
// Hold refuses with ErrNotAdmitted, ErrTooManyTunnels, ErrDraining,
// ErrPresence or ErrStopped, and leaves t running: the caller closes it,
// with CloseCodeFor(err).
func (n *Node) Hold(ctx context.Context, r route.Route, t Tunnel) (release func(), err error) {
	id := r.NetworkID
	if err := n.table.Admit(id); err != nil {
		return nil, n.refuseHold(holdNotAdmitted, fmt.Errorf("%w: %s: %w", ErrNotAdmitted, id, err))
	}
	unlock := n.nets.lock(id)
	defer unlock()
	n.mu.Lock()
	reason, err := n.roomLocked(id)
	n.mu.Unlock()
	if err != nil {
		return nil, n.refuseHold(reason, err)
	}
	if n.presence != nil {
		if err := n.presence.Claim(ctx, id, n.cfg.Self); err != nil {
			return nil, n.refuseHold(holdPresenceFailed, fmt.Errorf("%w: %w", ErrPresence, err))
		}
	}
	h := &holding{route: r, t: t, released: make(chan struct{}), ended: make(chan struct{})}
	if reason, err := n.register(h); err != nil {
		if n.holding(id) == nil {
			n.unclaim(id)
		}
		return nil, n.refuseHold(reason, err)
	}
	// A lapse applied between the first Admit and the registration found
	// no tunnel to close: ask again now that the lapse would find it.
	if err := n.table.Admit(id); err != nil {
		h.stopWatch()
		n.endLocked(h)
		return nil, n.refuseHold(holdNotAdmitted, fmt.Errorf("%w: %s: %w", ErrNotAdmitted, id, err))
	}
	n.stats.holds.Add(1)
	n.log.Debug("node: tunnel held", "network", id, "tenant", r.TenantID, "slug", r.Slug)
	return func() {
		h.stopWatch()
		n.finish(h)
	}, nil
}

// CloseCodeFor is the code to close a tunnel with for a refusal of Hold or
// a route's lapse (route.Route.Err): 4001 for a network missing or being
// deprovisioned, 4002 for a tenant not entitled, 4003 for a draining node,
// 4006 for a node over its limit or a network of another region, 1001 for
// a stopped node, and 1011 for the rest (a table not ready, presence
// unavailable), after which the daemon retries with backoff.
func CloseCodeFor(err error) frame.CloseCode {
	switch {
	case errors.Is(err, route.ErrNotEntitled):
		return frame.CloseEntitlementLapsed
	case errors.Is(err, route.ErrDeprovisioning), errors.Is(err, route.ErrDeprovisioned),
		errors.Is(err, route.ErrUnknownNetwork):
		return frame.CloseNetworkDeprovisioned
	case errors.Is(err, ErrDraining):
		return frame.CloseNodeDraining
	case errors.Is(err, ErrTooManyTunnels), errors.Is(err, route.ErrOtherRegion):
		return frame.ClosePolicy
	case errors.Is(err, ErrStopped):
		return tunnel.CloseGoingAway
	}
	return tunnel.CloseInternal
}

func (n *Node) refuseHold(reason string, err error) error {
	n.stats.holdRefusals.add(reason)
	n.log.Debug("node: tunnel refused", "reason", reason, "err", err)
	return err
}

// roomLocked says why the node takes no tunnel for network id now; mu is
// held. A tunnel that displaces one of the same network takes no room.
func (n *Node) roomLocked(id ids.NetworkID) (string, error) {
	switch {
	case n.stopped:
		return holdStopped, ErrStopped
	case n.draining:
		return holdDraining, ErrDraining
	case n.tunnels[id] == nil && len(n.tunnels) >= n.cfg.MaxTunnels:
		return holdTooMany, ErrTooManyTunnels
	}
	return "", nil
}

// register puts h in the table, closing the tunnel it displaces, and
// starts waiting for h's end.
func (n *Node) register(h *holding) (string, error) {
	id := h.route.NetworkID
	n.mu.Lock()
	defer n.mu.Unlock()
	if reason, err := n.roomLocked(id); err != nil {
		return reason, err
	}
	old := n.tunnels[id]
	n.tunnels[id] = h
	n.spawnLocked(func() { n.watch(h) })
	n.attachUDPLocked(h)
	if old != nil {
		n.closeLocked(old, frame.CloseDisplaced)
		n.log.Info("node: tunnel displaced by a newer one", "network", id, "tenant", h.route.TenantID)
	}
	return "", nil
}

// holding is the tunnel held for network id, or nil.
func (n *Node) holding(id ids.NetworkID) *holding {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.tunnels[id]
}

// closeLocked closes h's tunnel with code on a goroutine of the node's:
// Close flushes what is queued, which must not hold up the table's or
// presence's callbacks. mu is held.
func (n *Node) closeLocked(h *holding, code frame.CloseCode) {
	if n.spawnLocked(func() { _ = h.t.Close(code) }) {
		n.stats.closes.add(code)
	}
}

// watch waits for the end of h's tunnel, or its release, and ends the
// hold.
func (n *Node) watch(h *holding) {
	select {
	case <-h.t.Done():
	case <-h.released:
	}
	n.finish(h)
}

func (h *holding) stopWatch() { h.releaseOnce.Do(func() { close(h.released) }) }

// finish ends the hold of h once.
func (n *Node) finish(h *holding) {
	h.finishOnce.Do(func() {
		defer close(h.ended)
		unlock := n.nets.lock(h.route.NetworkID)
		defer unlock()
		n.endLocked(h)
	})
}

// endLocked forgets h and releases the network's claim, if h is still the
// network's tunnel here; the network's lock is held, so no Hold of the
// network claims in between.
func (n *Node) endLocked(h *holding) {
	id := h.route.NetworkID
	n.mu.Lock()
	current := n.tunnels[id] == h
	if current {
		delete(n.tunnels, id)
		n.detachUDPLocked(h)
	}
	n.mu.Unlock()
	if current {
		n.unclaim(id)
		n.log.Debug("node: tunnel ended", "network", id, "tenant", h.route.TenantID)
	}
}

// unclaim releases this node's claim of network id, if it still has it.
func (n *Node) unclaim(id ids.NetworkID) {
	if n.presence == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	defer cancel()
	if err := n.presence.Release(ctx, id, n.cfg.Self); err != nil && !errors.Is(err, presence.ErrNotHolder) {
		// The claim expires by itself after presence's TTL.
		n.log.Warn("node: presence release", "network", id, "err", err)
	}
}

// onLapse closes the tunnel of a network that stopped being admissible,
// as the table applies the event that made it so.
func (n *Node) onLapse(l route.Lapse) {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := n.tunnels[l.Route.NetworkID]
	if h == nil {
		return
	}
	code := CloseCodeFor(l.Reason)
	n.closeLocked(h, code)
	n.log.Info("node: tunnel closed: network lapsed", "network", l.Route.NetworkID,
		"tenant", l.Route.TenantID, "seq", l.Seq, "reason", l.Reason, "code", uint16(code))
}

// onDisplaced closes the tunnel of a network another node claimed.
func (n *Node) onDisplaced(d presence.Displacement) {
	if d.Node != n.cfg.Self {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if h := n.tunnels[d.NetworkID]; h != nil {
		n.spawnLocked(func() { n.displaced(h, d) })
	}
}

// displaced closes h unless this node claimed the network again since
// the displacement was seen (a daemon that came back here at once).
func (n *Node) displaced(h *holding, d presence.Displacement) {
	ctx, cancel := context.WithTimeout(context.Background(), presenceTimeout)
	holder, ok, err := n.presence.Holder(ctx, d.NetworkID)
	cancel()
	if err == nil && ok && holder == n.cfg.Self {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.tunnels[d.NetworkID] == h && !n.draining { // a draining node lets its tunnels finish (GOAWAY, make before break)
		n.closeLocked(h, frame.CloseDisplaced)
		n.log.Info("node: tunnel displaced by another node", "network", d.NetworkID, "by", d.By)
	}
}
