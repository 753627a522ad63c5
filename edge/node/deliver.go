package node

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// ErrNotHeld is Deliver's refusal of a connection whose network's tunnel
// is not held on this node.
var ErrNotHeld = errors.New("node: tunnel not held here")

// Deliver serves a connection another node of the region forwarded here
// (edge/forward's acceptor): req names the network and port, the client
// and the ClientHello that node read. The network must still be the
// slug's and take traffic, and its tunnel must be held on this node: a
// forwarded connection is never forwarded again, so a stale presence claim
// fails closed instead of bouncing between nodes. Deliver returns an error
// only when it did not take the connection; otherwise it serves conn until
// either side ends or ctx does, and the caller closes it after.
func (n *Node) Deliver(ctx context.Context, req ForwardRequest, conn net.Conn) error {
	counts := n.listener(req.DestPort)
	refuse := func(reason string, err error) error {
		counts.refusals.add(reason)
		return fmt.Errorf("node: deliver %s to %s: %w", req.NetworkID, req.Slug, err)
	}
	r, ok := n.table.Lookup(req.Slug)
	switch {
	case !ok || r.NetworkID != req.NetworkID:
		return refuse(ReasonUnknownSlug, ErrNotAdmitted)
	case r.Err() != nil:
		return refuse(ReasonNotAdmitted, fmt.Errorf("%w: %w", ErrNotAdmitted, r.Err()))
	}
	h := n.holding(r.NetworkID)
	if h == nil {
		return refuse(ReasonNoTunnel, ErrNotHeld)
	}
	in := inbound{conn: conn, port: req.DestPort, hello: req.FirstBytes, route: r, client: req.Client}
	if reason := n.stream(ctx, in, h, counts); reason != "" {
		counts.refusals.add(reason)
		if reason == ReasonTenantStreams || reason == ReasonOpenFailed {
			return fmt.Errorf("node: deliver %s: %s", req.NetworkID, reason)
		}
	}
	return nil
}
