package node

import (
	"context"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// Drain moves the node's tunnels away before it stops
// (docs/api/tunnel-protocol.md §3.6). It refuses new tunnels from then on
// (ErrDraining), sends every v2 tunnel GOAWAY (draining, with
// Config.DrainHint) so that its daemon dials another node at once, and
// keeps routing connections through the tunnels it holds meanwhile (make
// before break). When Config.DrainGrace has passed (at once when it is
// negative), or ctx ends, it closes the tunnels still held with 4003:
// v1 daemons, which cannot be asked to move, and v2 daemons that have not
// moved. It returns nil once every tunnel has ended, or ctx's error when
// ctx ended first; connections already routed run until their tunnel
// closes.
func (n *Node) Drain(ctx context.Context) error {
	n.mu.Lock()
	n.draining = true
	held := n.heldLocked()
	n.mu.Unlock()
	for _, h := range held {
		if g, ok := h.t.(goAwayer); ok {
			if err := g.GoAway(frame.GoAwayDraining, n.cfg.DrainHint); err != nil {
				n.log.Debug("node: GOAWAY", "network", h.route.NetworkID, "err", err)
			}
		}
	}
	n.log.Info("node: draining", "tunnels", len(held), "grace", n.cfg.DrainGrace)
	grace := time.NewTimer(max(n.cfg.DrainGrace, 0))
	defer grace.Stop()
	if gone(held, grace.C, ctx.Done()) {
		return nil
	}
	n.mu.Lock()
	for _, h := range held {
		if n.tunnels[h.route.NetworkID] == h {
			n.closeLocked(h, frame.CloseNodeDraining)
		}
	}
	n.mu.Unlock()
	if gone(held, nil, ctx.Done()) {
		return nil
	}
	return ctx.Err()
}

// gone waits until every hold in hs has ended (its tunnel done or the hold
// released, and the node's claim given up), and reports whether they did
// before timer fired or done closed.
func gone(hs []*holding, timer <-chan time.Time, done <-chan struct{}) bool {
	for _, h := range hs {
		select {
		case <-h.ended:
		case <-timer:
			return false
		case <-done:
			return false
		}
	}
	return true
}
