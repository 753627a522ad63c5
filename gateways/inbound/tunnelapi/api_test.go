package tunnelapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/inbound/tunnelapi"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.send(must2(t, func() (*http.Request, error) { return http.NewRequest(http.MethodGet, s.edge.URL+"/v1/health", nil) }))
	if r.status != http.StatusOK || len(r.body) != 0 {
		t.Fatalf("health: %d %s", r.status, r.shown())
	}
	r = s.send(must2(t, func() (*http.Request, error) { return http.NewRequest(http.MethodGet, s.edge.URL+"/v1/nothing", nil) }))
	r.wantError(t, http.StatusNotFound, "not found")
}

// Everything but a daemon's network-scoped token for the tunneller, with
// a fresh proof of possession of its key, is refused before the routing
// table is asked, with the contract's status and message.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := s.enroll("alice@example.com")

	// A tenant-scoped daemon token: told it needs a network.
	s.do(request{bearer: d.token(), sign: d.key, at: d.nextTS()}).wantError(t, http.StatusForbidden, tunnelapi.MsgNeedNetwork)

	d.register("alices-lab", servicetest.Region)
	d.waitAdmitted()
	tok := d.token()
	_, other, err := ed25519.GenerateKey(nil)
	must(t, err)

	noNet := d.claims(d.network)
	noNet.Audience = []tokens.Audience{tokens.AudienceTenants, tokens.AudienceDDNS}
	userToken := s.sign(tokens.UserClaims(d.tenant, time.Now(), time.Minute))
	_, foreignKey, err := ed25519.GenerateKey(nil)
	must(t, err)
	foreign, err := tokens.NewSigner(foreignKey)
	must(t, err)
	foreignToken, err := foreign.Sign(d.claims(d.network))
	must(t, err)

	for _, c := range []struct {
		name   string
		req    request
		status int
		msg    string
	}{
		{"no token", request{sign: d.key}, http.StatusUnauthorized, "authentication required"},
		{"not a bearer", request{header: http.Header{"Authorization": {"Basic " + tok}}, sign: d.key}, http.StatusUnauthorized, "authentication required"},
		{"no proof of possession", request{bearer: tok}, http.StatusUnauthorized, "missing or invalid X-Wardnet-Timestamp"},
		{"proof by another key", request{bearer: tok, sign: other}, http.StatusUnauthorized, "invalid request signature"},
		{"stale proof", request{bearer: tok, sign: d.key, at: time.Now().Add(-5 * time.Minute)}, http.StatusUnauthorized, "missing or invalid X-Wardnet-Timestamp"},
		{"no tunneller audience", request{bearer: s.sign(noNet), sign: d.key}, http.StatusUnauthorized, "invalid token"},
		{"a user's token", request{bearer: userToken}, http.StatusUnauthorized, "invalid token"},
		{"signed by another key", request{bearer: foreignToken, sign: d.key}, http.StatusUnauthorized, "invalid token"},
		{"garbage", request{bearer: "not.a.token", sign: d.key}, http.StatusUnauthorized, "invalid token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.req.sign != nil && c.req.at.IsZero() {
				c.req.at = d.nextTS()
			}
			s.do(c.req).wantError(t, c.status, c.msg)
		})
	}

	// The proof covers the path as dialed, prefix included.
	req0 := s.build(request{bearer: tok, sign: d.key, at: d.nextTS()})
	req0.URL.Path = tunnelapi.PrefixedTunnelPath
	s.send(req0).wantError(t, http.StatusUnauthorized, "invalid request signature")

	// A replayed upgrade request is refused, wherever the first went.
	req := request{bearer: tok, sign: d.key, at: d.nextTS()}
	if r := s.do(req); r.status != http.StatusUpgradeRequired {
		t.Fatalf("first: %d %s", r.status, r.shown())
	}
	s.do(req).wantError(t, http.StatusUnauthorized, "replayed request")

	// Admitted, but not an upgrade: 426, with the header that says what to do.
	r := d.call("/tunneller/v1/tunnel")
	r.wantError(t, http.StatusUpgradeRequired, tunnelapi.MsgUpgradeRequired)
	if r.header.Get("Upgrade") != "websocket" {
		t.Errorf("426 without Upgrade: websocket: %v", r.header)
	}
}

// The routing table is the policy: networks that are not this region's
// live networks of the token's tenant are refused with 403 and a message
// that says why; a table lapse closes a live tunnel.
func TestPolicy(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	alice := s.enroll("alice@example.com").register("alices-lab", servicetest.Region)
	bob := s.enroll("bob@example.com").register("bobs-lab", servicetest.Region)
	carol := s.enroll("carol@example.com").register("carols-lab", servicetest.OtherRegion)
	alice.waitAdmitted()
	bob.waitAdmitted()

	t.Run("unknown network", func(t *testing.T) {
		tok := s.sign(alice.claims(ids.New[ids.NetworkID]().String()))
		s.do(request{bearer: tok, sign: alice.key, at: alice.nextTS()}).wantError(t, http.StatusForbidden, tunnelapi.MsgNetworkNotFound)
	})
	t.Run("another tenant's network", func(t *testing.T) {
		// tenants never mints this: alice's tenant and key, bob's network.
		tok := s.sign(alice.claims(bob.network))
		s.do(request{bearer: tok, sign: alice.key, at: alice.nextTS()}).wantError(t, http.StatusForbidden, tunnelapi.MsgNetworkNotFound)
		if _, err := alice.dialWith("", tok, frame.Subprotocols(), nil); err == nil {
			t.Fatal("alice's token upgraded for bob's network")
		}
		if n := s.edge.Stats().Tunnels; n != 0 {
			t.Fatalf("the node holds %d tunnels", n)
		}
	})
	t.Run("another region", func(t *testing.T) {
		carol.call("").wantError(t, http.StatusForbidden, tunnelapi.MsgOtherRegion)
	})
	t.Run("entitlement lapses", func(t *testing.T) {
		ws, err := bob.dial("", frame.Subprotocols(), nil)
		must(t, err)
		tun := s.runV2(ws)
		s.waitTunnels(1)
		s.closeSubscription(bob.tenant)
		if code := tun.closeCode(t, time.Second); code != frame.CloseEntitlementLapsed {
			t.Errorf("closed with %d, want 4002", code)
		}
		testenv.Eventually(t, patience, func() error {
			if r := bob.call(""); r.status != http.StatusForbidden {
				return fmt.Errorf("%d %s", r.status, r.body)
			}
			return nil
		})
		bob.call("").wantError(t, http.StatusForbidden, tunnelapi.MsgNotEntitled)
	})
	t.Run("deprovisioning, then deprovisioned", func(t *testing.T) {
		ws, err := alice.dial("", frame.Subprotocols(), nil)
		must(t, err)
		tun := s.runV2(ws)
		s.waitTunnels(1)
		// The owner's delete, as the tenants API does it.
		must(t, s.tenants.Commands().DeleteNetwork(t.Context(), tenants.DeleteNetwork{TenantID: ids.TenantID(alice.tenant), Slug: alice.slug}))
		if code := tun.closeCode(t, time.Second); code != frame.CloseNetworkDeprovisioned {
			t.Errorf("closed with %d, want 4001", code)
		}
		alice.call("").wantError(t, http.StatusForbidden, tunnelapi.MsgDeprovisioning)
		// What the DNS projector decides once the records are gone.
		must(t, s.tenants.Commands().MarkNetworkDeprovisioned(t.Context(), tenants.MarkNetworkDeprovisioned{
			Meta: events.Meta{Actor: "test"}, NetworkID: ids.NetworkID(alice.network)}))
		testenv.Eventually(t, patience, func() error {
			if r := alice.call(""); string(r.body) != `{"error":"`+tunnelapi.MsgDeprovisioned+`"}`+"\n" {
				return fmt.Errorf("%d %s", r.status, r.body)
			}
			return nil
		})
	})
}

// A v2 daemon gets v2 and a working tunnel, at either path: a client's
// ClientHello on the SNI listener reaches it unchanged with the client's
// address, and its answer reaches the client. A second tunnel of the
// network displaces the first (4000).
func TestTunnelV2(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := s.enroll("alice@example.com").register("alices-lab", servicetest.Region)
	d.waitAdmitted()

	for i, path := range []string{"/v1/tunnel", "/tunneller/v1/tunnel"} {
		ws, err := d.dial(path, []string{frame.SubprotocolV2, frame.SubprotocolV1}, nil)
		must(t, err)
		tun := s.runV2(ws)
		testenv.Eventually(t, patience, func() error {
			if st := s.edge.Stats(); st.Holds != uint64(i+1) || st.Tunnels != 1 || string(st.PerTunnel[0].Slug) != "alices-lab" {
				return fmt.Errorf("%s: %+v", path, st)
			}
			return nil
		})

		hello := clientHello(t, "app.alices-lab."+servicetest.TunnelZone)
		c := s.connect(hello)
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		st, err := tun.sess.Accept(ctx)
		cancel()
		must(t, err)
		if st.DestPort() != 443 || st.Client() != netip.MustParseAddrPort(c.LocalAddr().String()) {
			t.Errorf("%s: stream to %d for %s, want 443 for %s", path, st.DestPort(), st.Client(), c.LocalAddr())
		}
		must(t, st.Confirm())
		got := make([]byte, len(hello))
		_, err = io.ReadFull(st, got)
		must(t, err)
		if !bytes.Equal(got, hello) {
			t.Errorf("%s: the daemon got another ClientHello than the client sent", path)
		}
		_, err = st.Write([]byte("server flight"))
		must(t, err)
		must(t, st.CloseWrite())
		back, err := io.ReadAll(c)
		must(t, err)
		if string(back) != "server flight" {
			t.Errorf("%s: the client got %q", path, back)
		}
		_ = st.Close()

		if i == 0 {
			// The second path's tunnel displaces this one.
			defer func() {
				if code := tun.closeCode(t, patience); code != frame.CloseDisplaced {
					t.Errorf("the first tunnel closed with %d, want 4000", code)
				}
			}()
		}
	}
}

// A daemon that offers no subprotocol speaks v1: no subprotocol in the
// answer, CONNECT, READY and DATA as the contract's table has them. The
// node pings it at the WebSocket level; while it answers, the tunnel
// outlives the idle timeout, and once it stops, the tunnel is closed with
// 4004.
func TestTunnelV1AndItsKeepAlive(t *testing.T) {
	t.Parallel()
	keep := tunnelapi.KeepAlive{PingInterval: 50 * time.Millisecond, IdleTimeout: 400 * time.Millisecond}
	s := newStack(t, tunneller.WithKeepAlive(keep))
	d := s.enroll("alice@example.com").register("alices-lab", servicetest.Region)
	d.waitAdmitted()

	var pings atomic.Int32
	var answer atomic.Bool
	answer.Store(true)
	ws, err := d.dial("", nil, &websocket.DialOptions{
		OnPingReceived: func(context.Context, []byte) bool {
			pings.Add(1)
			return answer.Load()
		},
	})
	must(t, err)
	if p := ws.Subprotocol(); p != "" {
		t.Fatalf("a daemon that offered nothing got subprotocol %q", p)
	}
	msgs := make(chan []byte, 16)
	closed := make(chan error, 1)
	go func() {
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				closed <- err
				return
			}
			msgs <- b
		}
	}()
	next := func() []byte {
		t.Helper()
		select {
		case m := <-msgs:
			return m
		case err := <-closed:
			t.Fatalf("the tunnel closed: %v", err)
		case <-time.After(patience):
			t.Fatal("no message from the node")
		}
		return nil
	}
	s.waitTunnels(1)

	// A connection: CONNECT, READY, DATA both ways.
	hello := clientHello(t, "www.alices-lab."+servicetest.TunnelZone)
	c := s.connect(hello)
	m := next()
	if len(m) != 7 || frame.V1Type(m[0]) != frame.V1Connect || binary.BigEndian.Uint16(m[5:]) != 443 {
		t.Fatalf("first message % x, want CONNECT for port 443", m)
	}
	id := m[1:5]
	write := func(typ frame.V1Type, payload []byte) {
		t.Helper()
		msg := append(append([]byte{byte(typ)}, id...), payload...)
		must(t, ws.Write(t.Context(), websocket.MessageBinary, msg))
	}
	write(frame.V1Ready, nil)
	var got []byte
	for len(got) < len(hello) {
		m := next()
		if frame.V1Type(m[0]) != frame.V1Data || !bytes.Equal(m[1:5], id) {
			t.Fatalf("message % x, want DATA", m[:5])
		}
		got = append(got, m[5:]...)
	}
	if !bytes.Equal(got, hello) {
		t.Error("the daemon got another ClientHello than the client sent")
	}
	write(frame.V1Data, []byte("server flight"))
	buf := make([]byte, len("server flight"))
	_, err = io.ReadFull(c, buf)
	must(t, err)
	if string(buf) != "server flight" {
		t.Errorf("the client got %q", buf)
	}
	write(frame.V1Close, nil)

	// Answered pings keep the tunnel past the idle timeout.
	testenv.Eventually(t, patience, func() error {
		if n := pings.Load(); int(n)*int(keep.PingInterval) < 2*int(keep.IdleTimeout) {
			return fmt.Errorf("%d pings", n)
		}
		return nil
	})
	if n := s.edge.Stats().Tunnels; n != 1 {
		t.Fatalf("the node holds %d tunnels after %d answered pings", n, pings.Load())
	}
	// Unanswered, the tunnel is closed as idle.
	answer.Store(false)
	stopped := time.Now()
	var err2 error
	testenv.Eventually(t, 10*keep.IdleTimeout, func() error {
		select {
		case err2 = <-closed:
			return nil
		case <-msgs:
		default:
		}
		return fmt.Errorf("still open %s after the last pong", time.Since(stopped).Round(time.Millisecond))
	})
	if code := websocket.CloseStatus(err2); code != websocket.StatusCode(frame.CloseIdleTimeout) {
		t.Errorf("closed with %v (%d), want 4004", err2, code)
	}
	s.waitTunnels(0)
}

// must2 returns f's value and fails the test on its error.
func must2[T any](t *testing.T, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	must(t, err)
	return v
}
