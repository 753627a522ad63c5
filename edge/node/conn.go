package node

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/sni"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// inbound is a connection whose ClientHello has been read and routed to
// a network that takes traffic.
type inbound struct {
	conn   net.Conn
	port   uint16
	hello  []byte // the raw records of the ClientHello, replayed unchanged
	route  route.Route
	client netip.AddrPort
}

// serveConn routes one accepted connection and serves it until it ends or
// ctx does, counting a refusal by its reason.
func (n *Node) serveConn(ctx context.Context, c net.Conn, port uint16, counts *listenerCounters) {
	counts.open.Add(1)
	defer counts.open.Add(-1)
	defer func() { _ = c.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	in, reason := n.routeConn(c, port)
	if reason == "" {
		reason = n.deliver(ctx, in, counts)
	}
	if reason != "" {
		counts.refusals.add(reason)
		n.log.Debug("node: connection refused", "port", port, "reason", reason,
			"network", in.route.NetworkID, "client", in.client)
	}
}

// routeConn reads the ClientHello under the hello deadline and finds the
// network its server name reaches; the reason is "" when it takes traffic.
func (n *Node) routeConn(c net.Conn, port uint16) (inbound, string) {
	if n.cfg.HelloTimeout > 0 {
		_ = c.SetReadDeadline(time.Now().Add(n.cfg.HelloTimeout))
	}
	raw, hello, err := sni.ReadClientHello(c, n.cfg.HelloLimit)
	if err != nil {
		if errors.Is(err, proxyproto.ErrMissingHeader) || errors.Is(err, proxyproto.ErrInvalidHeader) {
			return inbound{}, ReasonProxyHeader
		}
		return inbound{}, sni.Reason(err)
	}
	slug, err := n.cfg.Zone.Route(hello.ServerName)
	if err != nil {
		return inbound{}, sni.Reason(err)
	}
	in := inbound{conn: c, port: port, hello: raw, client: clientOf(c)}
	r, ok := n.table.Lookup(slug)
	if !ok {
		return in, ReasonUnknownSlug
	}
	in.route = r
	if r.Err() != nil {
		return in, ReasonNotAdmitted
	}
	return in, ""
}

// deliver hands a routed connection to its network's tunnel here, or to
// the Forwarder, and serves it until it ends; the reason is "" unless it
// never reached a daemon.
func (n *Node) deliver(ctx context.Context, in inbound, counts *listenerCounters) string {
	h := n.holding(in.route.NetworkID)
	if h == nil {
		return n.forward(ctx, in, counts)
	}
	return n.stream(ctx, in, h, counts)
}

// stream carries a routed connection through its network's tunnel held
// here, until either side ends; the reason is "" unless it never reached
// the daemon.
func (n *Node) stream(ctx context.Context, in inbound, h *holding, counts *listenerCounters) string {
	tenant := in.route.TenantID
	if !n.tenants.acquire(tenant) {
		return ReasonTenantStreams
	}
	defer n.tenants.release(tenant)
	st, err := h.t.OpenStream(ctx, in.port, in.client, in.hello)
	if err != nil {
		n.log.Debug("node: open stream", "network", in.route.NetworkID, "err", err)
		return ReasonOpenFailed
	}
	_ = in.conn.SetReadDeadline(time.Time{})
	counts.routed.Add(1)
	h.streams.Add(1)
	defer h.streams.Add(-1)
	if refused := n.splice(in.conn, st, h); refused {
		return ReasonOpenFailed
	}
	return ""
}

// clientOf is the client's address: the PROXY header's source on a
// proxyproto connection, else the TCP peer's. An IPv4 client seen through
// a dual-stack socket is given as IPv4.
func clientOf(c net.Conn) netip.AddrPort {
	var ap netip.AddrPort
	if s, ok := c.(interface {
		Source() (netip.AddrPort, error)
	}); ok {
		ap, _ = s.Source()
	} else if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ap = a.AddrPort()
	}
	if !ap.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port())
}
