package proxyproto

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type connKey struct{}

// ConnContext records the connection in its context, for ClientIP. Install
// it as the http.Server's ConnContext. It does not read from c, so it is
// safe on the accept loop.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// ClientIP returns the address of the client that sent r:
//
//   - on a connection with a PROXY header, the header's source;
//   - otherwise the TCP peer, unless that peer is loopback and the request
//     carries X-Forwarded-For, whose left-most valid address then wins
//     (development and tests, where a local tool or proxy forwards).
//
// Without ConnContext on the server it cannot tell a header's address from
// a peer's, so it returns r.RemoteAddr's address and ignores
// X-Forwarded-For. The zero Addr means no address could be found.
func ClientIP(r *http.Request) netip.Addr {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	if c == nil {
		return addrOf(r.RemoteAddr)
	}
	c = unwrap(c)
	if pc, ok := c.(*Conn); ok {
		// The request was read, so the header was accepted.
		src, err := pc.Source()
		if err != nil {
			return netip.Addr{}
		}
		return src.Addr()
	}
	peer := netAddrOf(c.RemoteAddr())
	if peer.IsLoopback() {
		if xff, ok := forwardedFor(r.Header); ok {
			return xff
		}
	}
	return peer
}

// unwrap reaches the connection under wrappers such as *tls.Conn.
func unwrap(c net.Conn) net.Conn {
	for range 8 {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return c
		}
		c = u.NetConn()
	}
	return c
}

// forwardedFor returns the left-most entry of X-Forwarded-For: the client
// as the first proxy saw it.
func forwardedFor(h http.Header) (netip.Addr, bool) {
	vals := h.Values("X-Forwarded-For")
	if len(vals) == 0 {
		return netip.Addr{}, false
	}
	first, _, _ := strings.Cut(vals[0], ",")
	a := addrOf(strings.TrimSpace(first))
	return a, a.IsValid()
}

// addrOf parses "ip", "ip:port" or "[ip]:port".
func addrOf(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("")
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	return netip.Addr{}
}

func netAddrOf(a net.Addr) netip.Addr {
	if a == nil {
		return netip.Addr{}
	}
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort().Addr().Unmap().WithZone("")
	}
	return addrOf(a.String())
}

// ClientPrefix is the unit every per-client limit counts in: an IPv4
// client's own address (/32), an IPv6 client's /64, which is what one
// customer's router is given and what an attacker gets for free by the
// billion. IPv4-mapped IPv6 addresses count as their IPv4 address. The zero
// Addr gives the zero Prefix, one shared unit for "no address known".
func ClientPrefix(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap().WithZone("")
	switch {
	case !addr.IsValid():
		return netip.Prefix{}
	case addr.Is6():
		p, _ := addr.Prefix(64) // cannot fail for an IPv6 address
		return p
	}
	return netip.PrefixFrom(addr, 32)
}
