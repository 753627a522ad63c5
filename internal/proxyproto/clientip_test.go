package proxyproto_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

const forwarded = "198.51.100.4, 10.0.0.1"

func TestXForwardedFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, header, xff, want string
		mode                    proxyproto.Mode
	}{
		{"loopback peer, no header: honoured", "", forwarded, "198.51.100.4", proxyproto.Off},
		{"loopback peer, no header, ipv6 with port", "", "[2001:db8::4]:1234", "2001:db8::4", proxyproto.Off},
		{"loopback peer, no header, unparsable", "", "unknown, 198.51.100.9", "127.0.0.1", proxyproto.Off},
		{"proxy header wins over xff", "PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n", forwarded, "203.0.113.7", proxyproto.Required},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := serve(t, tc.mode)
			got, err := exchange(t, addr, tc.header+
				"GET /ip HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: "+tc.xff+"\r\nConnection: close\r\n\r\n")
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("client ip %q, want %q", got, tc.want)
			}
		})
	}
}

// Over real TCP from a non-loopback address, when the machine has one.
func TestXForwardedForIgnoredFromNonLoopbackTCP(t *testing.T) {
	t.Parallel()
	ip := nonLoopbackIP(t)
	addr := serveOn(t, netip.AddrPortFrom(ip, 0).String(), proxyproto.Off)
	got, err := exchange(t, addr, "GET /ip HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: "+forwarded+"\r\nConnection: close\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if got != ip.String() {
		t.Fatalf("client ip %q, want the peer %s", got, ip)
	}
}

func nonLoopbackIP(t *testing.T) netip.Addr {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("interfaces: %v", err)
	}
	for _, a := range addrs {
		if p, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(p.IP); ok && ip.Unmap().Is4() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
				return ip.Unmap()
			}
		}
	}
	t.Skip("no non-loopback IPv4 address on this machine")
	return netip.Addr{}
}

// peerConn is a connection whose peer is wherever the test says.
type peerConn struct {
	net.Conn
	peer net.Addr
}

func (c peerConn) RemoteAddr() net.Addr { return c.peer }

func requestFrom(peer string, xff string, withConnContext bool) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/ip", nil)
	r.RemoteAddr = peer
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	if withConnContext {
		a, _ := net.ResolveTCPAddr("tcp", peer)
		ctx := proxyproto.ConnContext(context.Background(), peerConn{peer: a})
		r = r.WithContext(ctx)
	}
	return r
}

func TestClientIPRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		peer, xff   string
		connContext bool
		want        string
	}{
		{"non-loopback peer ignores xff", "203.0.113.50:4000", forwarded, true, "203.0.113.50"},
		{"loopback v6 peer honours xff", "[::1]:4000", forwarded, true, "198.51.100.4"},
		{"v4-mapped peer is unmapped", "[::ffff:203.0.113.51]:4000", "", true, "203.0.113.51"},
		{"no conn context: no xff even from loopback", "127.0.0.1:4000", forwarded, false, "127.0.0.1"},
		{"no conn context: remote addr", "203.0.113.52:4000", "", false, "203.0.113.52"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := proxyproto.ClientIP(requestFrom(tc.peer, tc.xff, tc.connContext))
			if got.String() != tc.want {
				t.Fatalf("client ip %s, want %s", got, tc.want)
			}
		})
	}
}

func TestClientPrefix(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ addr, want string }{
		{"198.51.100.7", "198.51.100.7/32"},
		{"::ffff:198.51.100.7", "198.51.100.7/32"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	} {
		if got := proxyproto.ClientPrefix(netip.MustParseAddr(tc.addr)); got.String() != tc.want {
			t.Errorf("ClientPrefix(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
	if got := proxyproto.ClientPrefix(netip.Addr{}); got.IsValid() {
		t.Errorf("ClientPrefix(zero) = %s, want the zero prefix", got)
	}
}
