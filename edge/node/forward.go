package node

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/edge/presence"
)

// Forwarder carries a connection to the node that holds its network's
// tunnel (contract §6.4: over mTLS between the nodes of a region, with a
// preamble naming the slug and port, then both ways). The node calls it
// when presence names another node as the network's holder.
type Forwarder interface {
	// Forward sends req.FirstBytes and then conn's bytes to req.To, and
	// the answer back, until either side ends; the node closes conn after
	// it returns. It returns an error only when it could not hand the
	// connection over (the node unreachable or refusing it); what goes
	// wrong afterwards is its own to log.
	Forward(ctx context.Context, req ForwardRequest, conn net.Conn) error
}

// ForwardRequest says where a forwarded connection goes.
type ForwardRequest struct {
	// To is the node presence names as the network's holder.
	To        presence.NodeID
	Slug      naming.Slug
	NetworkID ids.NetworkID
	DestPort  uint16
	// Client is the client's address (the zero value when unknown).
	Client netip.AddrPort
	// FirstBytes is the ClientHello as read, to be replayed ahead of
	// conn's bytes.
	FirstBytes []byte
}

// forward hands a connection whose network's tunnel is not here to the
// node presence names; without a Forwarder, presence or another holder it
// fails closed.
func (n *Node) forward(ctx context.Context, in inbound, counts *listenerCounters) string {
	if n.cfg.Forwarder == nil || n.presence == nil {
		return ReasonNoTunnel
	}
	hctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	holder, ok, err := n.presence.Holder(hctx, in.route.NetworkID)
	cancel()
	switch {
	case err != nil:
		n.log.Debug("node: presence holder", "network", in.route.NetworkID, "err", err)
		return ReasonNoTunnel
	case !ok, holder == n.cfg.Self: // no holder, or a stale claim of ours
		return ReasonNoTunnel
	}
	_ = in.conn.SetReadDeadline(time.Time{})
	counts.forwarded.Add(1)
	err = n.cfg.Forwarder.Forward(ctx, ForwardRequest{
		To: holder, Slug: in.route.Slug, NetworkID: in.route.NetworkID,
		DestPort: in.port, Client: in.client, FirstBytes: in.hello,
	}, in.conn)
	if err != nil {
		n.log.Debug("node: forward", "network", in.route.NetworkID, "to", holder, "err", err)
		return ReasonForwardFailed
	}
	return ""
}
