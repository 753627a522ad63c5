package agent

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	proxyproto "github.com/pires/go-proxyproto"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// within bounds every wait of these tests.
const within = 10 * time.Second

// fakeNode is a tunnel node: it checks the upgrade's authentication,
// negotiates the version as a node does, and runs edge/tunnel's node
// session over the WebSocket, which the test then drives.
type fakeNode struct {
	t      *testing.T
	name   string
	srv    *httptest.Server
	token  *atomic.Value // the token the daemon must present
	events *eventLog

	mu       sync.Mutex
	dials    int
	refuse   []int // statuses answered to the next upgrades, in turn
	sessions []*tunnel.Session
	ready    chan *tunnel.Session
	offered  []string // Sec-WebSocket-Protocol of the upgrades
	paths    []string
}

// eventLog is the order in which the nodes saw things happen.
type eventLog struct {
	mu sync.Mutex
	ev []string
}

func (l *eventLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ev = append(l.ev, fmt.Sprintf(format, args...))
}

func (l *eventLog) index(e string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, x := range l.ev {
		if x == e {
			return i
		}
	}
	return -1
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.ev, ", ")
}

func newFakeNode(t *testing.T, name string, token *atomic.Value, events *eventLog) *fakeNode {
	n := &fakeNode{t: t, name: name, token: token, events: events, ready: make(chan *tunnel.Session, 16)}
	n.srv = httptest.NewServer(n)
	t.Cleanup(n.srv.Close) // after every session has ended (the cleanup below)
	t.Cleanup(func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		for _, s := range n.sessions {
			_ = s.Close(tunnel.CloseGoingAway)
		}
	})
	return n
}

// port is the node's TCP port on 127.0.0.1.
func (n *fakeNode) port() string {
	u, _ := url.Parse(n.srv.URL)
	return u.Port()
}

func (n *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, TunnelPath) {
		http.NotFound(w, r)
		return
	}
	verifyPoP(n.t, r, testPublicKey())
	if ts := r.Header.Get(pop.HeaderTimestamp); ts == "" || strings.Trim(ts, "0123456789") != "" {
		n.t.Errorf("upgrade timestamp %q", ts)
	}
	if got, want := r.Header.Get("Authorization"), "Bearer "+n.token.Load().(string); got != want {
		n.t.Errorf("upgrade Authorization %q, want %q", got, want)
	}
	n.mu.Lock()
	n.dials++
	dial := n.dials
	n.offered = append(n.offered, r.Header.Get("Sec-WebSocket-Protocol"))
	n.paths = append(n.paths, r.URL.RequestURI())
	var refuse int
	if len(n.refuse) > 0 {
		refuse, n.refuse = n.refuse[0], n.refuse[1:]
	}
	n.mu.Unlock()
	if refuse != 0 {
		n.events.add("%s refused %d", n.name, dial)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(refuse)
		_, _ = io.WriteString(w, `{"error":"network not found"}`)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: frame.Subprotocols()})
	if err != nil {
		n.t.Errorf("accept: %v", err)
		return
	}
	v, err := frame.VersionOf(c.Subprotocol())
	if err != nil || v != frame.V2 {
		n.t.Errorf("negotiated %q (%v), want v2", c.Subprotocol(), err)
	}
	sess := tunnel.NewNode(tunnel.NewWebSocketConn(c, v), tunnel.Options{})
	n.mu.Lock()
	n.sessions = append(n.sessions, sess)
	n.mu.Unlock()
	n.events.add("%s up %d", n.name, dial)
	n.ready <- sess
	_ = sess.Run(context.Background())
	n.events.add("%s down %d", n.name, dial)
}

// next waits for the next tunnel the daemon holds to this node.
func (n *fakeNode) next(t *testing.T) *tunnel.Session {
	t.Helper()
	select {
	case s := <-n.ready:
		return s
	case <-time.After(within):
		t.Fatalf("%s: no tunnel within %s (events: %s)", n.name, within, n.events)
		return nil
	}
}

func (n *fakeNode) dialCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.dials
}

// tunnelRig is a registered daemon whose HTTP client mints tokens locally
// (tenants.test) and reaches every other host on 127.0.0.1 at the port it
// names, so that host names can stand for the fake nodes.
type tunnelRig struct {
	c      *Client
	token  *atomic.Value
	mints  atomic.Int32
	logs   *testenv.Logs
	events *eventLog
}

func newTunnelRig(t *testing.T, st *state) *tunnelRig {
	t.Helper()
	clock := newFakeClock()
	rig := &tunnelRig{token: &atomic.Value{}, logs: testenv.NewLogs(t), events: &eventLog{}}
	rig.token.Store("")
	dialer := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return dialer.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}}
	t.Cleanup(tr.CloseIdleConnections)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host != "tenants.test:8080" {
			return tr.RoundTrip(r)
		}
		verifyPoP(t, r, testPublicKey())
		if r.URL.Path != "/v1/token" {
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			return answer(404, `{"error":"not found"}`), nil
		}
		n := rig.mints.Add(1)
		tok := jwtWith(`{"net":"` + st.NetworkID + `","n":` + itoa(int64(n)) + `,"exp":` + itoa(clock.Now().Add(time.Hour).Unix()) + `}`)
		rig.token.Store(tok)
		return answer(200, `{"token":"`+tok+`"}`), nil
	})
	path := filepath.Join(t.TempDir(), "agent", "state.json")
	if err := saveState(path, *st); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(testServer, &http.Client{Transport: rt}, path, WithLogger(rig.logs.Logger()), WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	rig.c = c
	return rig
}

func (rig *tunnelRig) node(t *testing.T, name string) *fakeNode {
	return newFakeNode(t, name, rig.token, rig.events)
}

// hold runs HoldTunnel until the test ends, and checks that it then
// returns nil promptly.
func (rig *tunnelRig) hold(t *testing.T, opts TunnelOptions) {
	t.Helper()
	if opts.Backoff == nil {
		opts.Backoff = func(int) time.Duration { return time.Millisecond }
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rig.c.HoldTunnel(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("HoldTunnel after cancel: %v", err)
			}
		case <-time.After(within):
			t.Errorf("HoldTunnel did not return within %s of its context's end", within)
		}
	})
}

// gatewayURL names a node by a host under tunnel.test.
func gatewayURL(n *fakeNode) string { return "http://gw.tunnel.test:" + n.port() }

// echoTCP is a local TCP service that echoes what it reads and then
// closes its write half when it reads EOF. With proxy, it first reads a
// PROXY v2 header and records its bytes.
type echoTCP struct {
	addr    string
	proxy   bool
	mu      sync.Mutex
	headers [][]byte
	eofs    int
}

func newEchoTCP(t *testing.T, proxy bool) *echoTCP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echoTCP{addr: ln.Addr().String(), proxy: proxy}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { e.serve(t, c.(*net.TCPConn)) })
		}
	})
	return e
}

func (e *echoTCP) serve(t *testing.T, c *net.TCPConn) {
	defer c.Close()
	br := bufio.NewReader(c)
	if e.proxy {
		h, err := readProxyV2(br)
		if err != nil {
			t.Errorf("echo: PROXY header: %v", err)
			return
		}
		e.mu.Lock()
		e.headers = append(e.headers, h)
		e.mu.Unlock()
	}
	if _, err := io.Copy(c, br); err != nil {
		return
	}
	e.mu.Lock()
	e.eofs++
	e.mu.Unlock()
	_ = c.CloseWrite()
}

func (e *echoTCP) seen() ([][]byte, int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([][]byte(nil), e.headers...), e.eofs
}

// readProxyV2 reads exactly one PROXY v2 header: 16 bytes, then the
// length they give.
func readProxyV2(br *bufio.Reader) ([]byte, error) {
	h := make([]byte, 16)
	if _, err := io.ReadFull(br, h); err != nil {
		return nil, err
	}
	n := int(h[14])<<8 | int(h[15])
	rest := make([]byte, n)
	if _, err := io.ReadFull(br, rest); err != nil {
		return nil, err
	}
	return append(h, rest...), nil
}

// echoUDP is a local UDP service that sends every datagram back, and
// remembers from which addresses they came.
type echoUDP struct {
	addr  string
	mu    sync.Mutex
	peers map[string]int
}

func newEchoUDP(t *testing.T) *echoUDP {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echoUDP{addr: pc.LocalAddr().String(), peers: map[string]int{}}
	done := make(chan struct{})
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			e.mu.Lock()
			e.peers[from.String()]++
			e.mu.Unlock()
			_, _ = pc.WriteTo(buf[:n], from)
		}
	}()
	return e
}

func (e *echoUDP) peerCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.peers)
}

// readAll reads a stream to EOF within the test's bound.
func readAll(t *testing.T, st *tunnel.Stream) []byte {
	t.Helper()
	_ = st.SetReadDeadline(time.Now().Add(within))
	b, err := io.ReadAll(st)
	if err != nil {
		t.Fatalf("read stream: %v", err)
	}
	return b
}

func readN(t *testing.T, st *tunnel.Stream, n int) []byte {
	t.Helper()
	_ = st.SetReadDeadline(time.Now().Add(within))
	b := make([]byte, n)
	if _, err := io.ReadFull(st, b); err != nil {
		t.Fatalf("read stream: %v", err)
	}
	return b
}

var testClient4 = netip.MustParseAddrPort("203.0.113.7:51234")

// The upgrade is GET /v1/tunnel (below the URL's prefix) with the
// network-scoped token and a proof of possession over exactly that GET
// and an empty body; it offers v2 then v1, and the node's choice, v2,
// is spoken.
func TestTunnelUpgradeIsAuthenticated(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	echo := newEchoTCP(t, false)
	rig.hold(t, TunnelOptions{URL: "ws://gw.tunnel.test:" + node.port() + "/edge/", Local: map[uint16]string{443: echo.addr}})
	sess := node.next(t)

	node.mu.Lock()
	offered, paths := node.offered, node.paths
	node.mu.Unlock()
	if want := frame.SubprotocolV2 + "," + frame.SubprotocolV1; offered[0] != want {
		t.Errorf("offered %q, want %q", offered[0], want)
	}
	if paths[0] != "/edge/v1/tunnel" {
		t.Errorf("upgrade at %q", paths[0])
	}
	claims, err := ParseClaims(rig.token.Load().(string))
	if err != nil || string(claims.Network) != st.NetworkID {
		t.Errorf("token claims %+v, %v: want network-scoped", claims, err)
	}
	// It is a working v2 tunnel.
	if _, err := sess.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// Streams go to the local address of their port with a PROXY v2 header
// naming the client, bytes both ways, and half-close as TCP does: the
// node's CLOSE is the local service's EOF, and its FIN the node's EOF.
func TestTunnelRelaysStreams(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	echo := newEchoTCP(t, true)
	rig.hold(t, TunnelOptions{URL: gatewayURL(node), Local: map[uint16]string{443: echo.addr, 853: echo.addr}, ProxyHeader: true})
	sess := node.next(t)
	ctx := t.Context()

	s1, err := sess.OpenStream(ctx, 443, testClient4, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readN(t, s1, 5); string(got) != "hello" {
		t.Fatalf("echo %q", got)
	}
	// A megabyte, past several windows, each way.
	big := make([]byte, 1<<20)
	_, _ = rand.Read(big)
	go func() {
		_, _ = s1.Write(big)
		_ = s1.CloseWrite()
	}()
	if got := readAll(t, s1); !bytes.Equal(got, big) {
		t.Fatalf("echoed %d bytes, not the %d sent", len(got), len(big))
	}
	_ = s1.Close()

	// DNS over TLS, from an unknown client: PROXY v2 LOCAL.
	s2, err := sess.OpenStream(ctx, 853, netip.AddrPort{}, []byte("dot"))
	if err != nil {
		t.Fatal(err)
	}
	_ = s2.CloseWrite()
	if got := readAll(t, s2); string(got) != "dot" {
		t.Fatalf("echo %q", got)
	}
	_ = s2.Close()

	headers, eofs := echo.seen()
	want := [][]byte{
		[]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x07\x00\x00\x00\x00\xc8\x22\x01\xbb"),
		[]byte("\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"),
	}
	if len(headers) != 2 || !bytes.Equal(headers[0], want[0]) || !bytes.Equal(headers[1], want[1]) {
		t.Errorf("PROXY headers\n%x\nwant\n%x", headers, want)
	}
	if eofs != 2 {
		t.Errorf("the local service read EOF %d times, want 2", eofs)
	}
}

// The header's bytes are what a PROXY v2 parser reads back.
func TestProxyHeaderV2(t *testing.T) {
	for _, tc := range []struct {
		client netip.AddrPort
		cmd    proxyproto.ProtocolVersionAndCommand
		proto  proxyproto.AddressFamilyAndProtocol
		src    string
	}{
		{testClient4, proxyproto.PROXY, proxyproto.TCPv4, "203.0.113.7:51234"},
		{netip.MustParseAddrPort("[2001:db8::1]:40000"), proxyproto.PROXY, proxyproto.TCPv6, "[2001:db8::1]:40000"},
		{netip.MustParseAddrPort("[::ffff:198.51.100.5]:41641"), proxyproto.PROXY, proxyproto.TCPv4, "198.51.100.5:41641"},
		{netip.AddrPort{}, proxyproto.LOCAL, proxyproto.UNSPEC, ""},
	} {
		h, err := proxyproto.Read(bufio.NewReader(bytes.NewReader(proxyHeaderV2(tc.client, 853))))
		if err != nil {
			t.Fatalf("%v: %v", tc.client, err)
		}
		if h.Version != 2 || h.Command != tc.cmd || h.TransportProtocol != tc.proto {
			t.Errorf("%v: version %d, command %v, protocol %v", tc.client, h.Version, h.Command, h.TransportProtocol)
		}
		if tc.src == "" {
			continue
		}
		src, dst, ok := h.TCPAddrs()
		if !ok || src.String() != tc.src || dst.Port != 853 || !dst.IP.IsUnspecified() {
			t.Errorf("%v: source %v, destination %v", tc.client, src, dst)
		}
	}
}

// A port with no local address is refused (port not served), a local
// service that is down too (connect failed); without a local UDP
// address a flow is closed at once.
func TestTunnelRefuses(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	rig.hold(t, TunnelOptions{URL: gatewayURL(node), Local: map[uint16]string{853: down}})
	sess := node.next(t)

	for port, want := range map[uint16]frame.RefuseReason{443: frame.RefusePortNotServed, 853: frame.RefuseConnectFailed} {
		s, err := sess.OpenStream(t.Context(), port, testClient4, nil) // first bytes may race the refusal
		if err != nil {
			t.Fatal(err)
		}
		_ = s.SetReadDeadline(time.Now().Add(within))
		_, err = s.Read(make([]byte, 1))
		var refused *tunnel.RefusedError
		if !errors.As(err, &refused) || refused.Reason != want {
			t.Errorf("port %d: read %v, want refused (%s)", port, err, want)
		}
	}
	fl, err := sess.OpenFlow(51820, testClient4)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	if _, err := fl.Receive(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("flow without a local UDP address: %v, want EOF (closed)", err)
	}
}

// Each UDP flow gets a local socket of its own; datagrams go both ways.
func TestTunnelRelaysFlows(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	echo := newEchoUDP(t)
	rig.hold(t, TunnelOptions{URL: gatewayURL(node), LocalUDP: echo.addr})
	sess := node.next(t)
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()

	for i, client := range []netip.AddrPort{testClient4, netip.MustParseAddrPort("198.51.100.5:41641")} {
		fl, err := sess.OpenFlow(51820, client)
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte("handshake " + strconv.Itoa(i))
		if err := fl.Send(msg); err != nil {
			t.Fatal(err)
		}
		got, err := fl.Receive(ctx)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("flow %d: %q, %v", i, got, err)
		}
	}
	if n := echo.peerCount(); n != 2 {
		t.Errorf("the local service saw %d sources, want one per flow (2)", n)
	}
}

// When the node drops the tunnel the daemon dials again (with the
// injected backoff); a refused upgrade is logged with its status and
// error, never the token, and retried; a 401 makes the next dial mint a
// new token.
func TestTunnelReconnects(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	node.refuse = []int{http.StatusUnauthorized, http.StatusForbidden}
	echo := newEchoTCP(t, false)
	var mu sync.Mutex
	var failures []int
	rig.hold(t, TunnelOptions{URL: gatewayURL(node), Local: map[uint16]string{443: echo.addr},
		Backoff: func(n int) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			failures = append(failures, n)
			return time.Millisecond
		}})
	sess := node.next(t)
	if n := node.dialCount(); n != 3 {
		t.Fatalf("%d dials, want 3 (401, 403, up)", n)
	}
	if n := rig.mints.Load(); n != 2 {
		t.Errorf("%d token mints, want 2 (the 401 forgot the first)", n)
	}
	_ = sess.Close(frame.CloseIdleTimeout)
	node.next(t)
	testenv.Eventually(t, within, func() error {
		if n := node.dialCount(); n != 4 {
			return fmt.Errorf("%d dials", n)
		}
		return nil
	})
	mu.Lock()
	if fmt.Sprint(failures) != "[1 2 3]" {
		t.Errorf("backoff asked for failures %v, want [1 2 3]", failures)
	}
	mu.Unlock()

	logs := rig.logs.String()
	tok := rig.token.Load().(string)
	if strings.Contains(logs, tok) || strings.Contains(logs, strings.Split(tok, ".")[1]) {
		t.Error("the token is in the logs")
	}
	var statuses []float64
	for _, l := range rig.logs.Lines(t) {
		if l["msg"] == "tunnel dial failed" {
			statuses = append(statuses, l["status"].(float64))
			if !strings.Contains(l["error"].(string), "network not found") {
				t.Errorf("refusal logged without its error: %v", l)
			}
		}
	}
	if fmt.Sprint(statuses) != "[401 403]" {
		t.Errorf("refusals logged with statuses %v, want [401 403]", statuses)
	}
}

// GOAWAY: the daemon dials a replacement at once, and only once it is up
// tells the old tunnel GOAWAY in turn and closes it (1000) after its
// streams have ended; the old stream keeps working meanwhile.
func TestTunnelGoAwayMakesBeforeBreak(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	echo := newEchoTCP(t, false)
	rig.hold(t, TunnelOptions{URL: gatewayURL(node), Local: map[uint16]string{443: echo.addr},
		Backoff: func(int) time.Duration { return time.Hour }}) // a GOAWAY needs no backoff
	old := node.next(t)
	ctx := t.Context()
	s, err := old.OpenStream(ctx, 443, testClient4, []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readN(t, s, 3); string(got) != "one" {
		t.Fatalf("echo %q", got)
	}

	if err := old.GoAway(frame.GoAwayDraining, ""); err != nil {
		t.Fatal(err)
	}
	repl := node.next(t)
	testenv.Eventually(t, within, func() error {
		if g, ok := old.PeerGoAway(); !ok || g.Reason != frame.GoAwayShutdown {
			return errors.New("no GOAWAY from the daemon on the old tunnel yet")
		}
		return nil
	})
	select {
	case <-old.Done():
		t.Fatalf("the old tunnel closed with a stream open: %v", old.Err())
	default:
	}
	if _, err := s.Write([]byte("two")); err != nil {
		t.Fatal(err)
	}
	_ = s.CloseWrite()
	if got := readAll(t, s); string(got) != "two" {
		t.Fatalf("echo on the old tunnel after GOAWAY: %q", got)
	}
	select {
	case <-old.Done():
	case <-time.After(within):
		t.Fatal("the old tunnel was not closed once its stream ended")
	}
	var ce *tunnel.CloseError
	if err := old.Err(); !errors.As(err, &ce) || ce.Code != tunnel.CloseNormal || !ce.Remote {
		t.Errorf("old tunnel ended with %v, want the daemon's 1000", err)
	}
	testenv.Eventually(t, within, func() error {
		if rig.events.index("node down 1") < 0 {
			return errors.New("the node's handler has not returned")
		}
		return nil
	})
	if up, down := rig.events.index("node up 2"), rig.events.index("node down 1"); up < 0 || up > down {
		t.Errorf("events %s: want the replacement up before the old one down", rig.events)
	}
	if _, err := repl.Ping(ctx); err != nil {
		t.Errorf("replacement: %v", err)
	}
	if n := node.dialCount(); n != 2 {
		t.Errorf("%d dials, want 2", n)
	}
}

// A GOAWAY's hint is followed when it names a host under the gateway's
// parent domain, and ignored otherwise (the replacement goes to the
// gateway).
func TestTunnelGoAwayHint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hint   func(other *fakeNode) string
		toHint bool
	}{
		{"same domain", func(o *fakeNode) string { return "node-2.tunnel.test:" + o.port() }, true},
		{"another domain", func(o *fakeNode) string { return "node-2.evil.example:" + o.port() }, false},
		{"an address", func(o *fakeNode) string { return "127.0.0.1:" + o.port() }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := registeredState()
			rig := newTunnelRig(t, &st)
			gw := rig.node(t, "gw")
			other := rig.node(t, "other")
			echo := newEchoTCP(t, false)
			rig.hold(t, TunnelOptions{URL: gatewayURL(gw), Local: map[uint16]string{443: echo.addr}})
			old := gw.next(t)
			if err := old.GoAway(frame.GoAwayRebalance, tc.hint(other)); err != nil {
				t.Fatal(err)
			}
			if tc.toHint {
				other.next(t)
			} else {
				gw.next(t)
			}
			select {
			case <-old.Done():
			case <-time.After(within):
				t.Fatal("the old tunnel was not closed")
			}
			if n := other.dialCount() + gw.dialCount(); n != 2 {
				t.Errorf("%d dials, want 2 (events %s)", n, rig.events)
			}
		})
	}
}

// A close with 4003 (node draining) is followed by a dial at once; one
// with 4002 (entitlement lapsed) by a fresh token, after the backoff.
func TestTunnelCloseCodes(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	echo := newEchoTCP(t, false)
	var backoffs atomic.Int32
	rig.hold(t, TunnelOptions{URL: gatewayURL(node), Local: map[uint16]string{443: echo.addr},
		Backoff: func(int) time.Duration {
			backoffs.Add(1)
			return time.Millisecond
		}})
	_ = node.next(t).Close(frame.CloseNodeDraining)
	sess := node.next(t)
	if n := backoffs.Load(); n != 0 {
		t.Errorf("4003: %d backoffs, want a dial at once", n)
	}
	if n := rig.mints.Load(); n != 1 {
		t.Errorf("4003: %d mints, want the cached token (1)", n)
	}
	_ = sess.Close(frame.CloseEntitlementLapsed)
	node.next(t)
	if n := backoffs.Load(); n != 1 {
		t.Errorf("4002: %d backoffs, want 1", n)
	}
	if n := rig.mints.Load(); n != 2 {
		t.Errorf("4002: %d mints, want a new token (2)", n)
	}
}

// A flow that carries nothing for FlowIdleTimeout is closed.
func TestTunnelFlowIdle(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	echo := newEchoUDP(t)
	rig.hold(t, TunnelOptions{URL: gatewayURL(node), LocalUDP: echo.addr, FlowIdleTimeout: 20 * time.Millisecond})
	fl, err := node.next(t).OpenFlow(51820, testClient4)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	if _, err := fl.Receive(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("idle flow: %v, want EOF (the daemon's CLOSE)", err)
	}
}

func TestParseTunnellerURL(t *testing.T) {
	for raw, want := range map[string]string{
		"ws://gw.tunnel.test:8082/":     "http://gw.tunnel.test:8082",
		"WSS://gw.tunnel.test/edge/":    "https://gw.tunnel.test/edge",
		"https://gw.tunnel.test":        "https://gw.tunnel.test",
		"http://127.0.0.1:8082":         "http://127.0.0.1:8082",
		"ftp://gw.tunnel.test":          "",
		"wss://gw.tunnel.test/?x=1":     "",
		"wss://user@gw.tunnel.test/":    "",
		"gw.tunnel.test:8082/v1/tunnel": "",
	} {
		u, err := parseTunnellerURL(raw)
		switch {
		case want == "" && err == nil:
			t.Errorf("%q accepted as %s", raw, u)
		case want != "" && (err != nil || u.String() != want):
			t.Errorf("%q: %v, %v; want %s", raw, u, err, want)
		}
	}
}

// A close with 4001 ends HoldTunnel: the network is gone.
func TestTunnelNetworkDeprovisioned(t *testing.T) {
	st := registeredState()
	rig := newTunnelRig(t, &st)
	node := rig.node(t, "node")
	echo := newEchoTCP(t, false)
	done := make(chan error, 1)
	go func() {
		done <- rig.c.HoldTunnel(t.Context(), TunnelOptions{URL: gatewayURL(node), Local: map[uint16]string{443: echo.addr},
			Backoff: func(int) time.Duration { return time.Millisecond }})
	}()
	_ = node.next(t).Close(frame.CloseNetworkDeprovisioned)
	select {
	case err := <-done:
		if !errors.Is(err, ErrNetworkDeprovisioned) {
			t.Errorf("HoldTunnel: %v, want ErrNetworkDeprovisioned", err)
		}
	case <-time.After(within):
		t.Fatal("HoldTunnel did not return")
	}
}

// What retrying cannot mend is returned at once, before anything is sent.
func TestHoldTunnelRefusesAtOnce(t *testing.T) {
	enrolled := enrolledState()
	c, _ := newTestClient(t, noNetwork(t), &enrolled, nil)
	local := map[uint16]string{443: "127.0.0.1:8443"}
	for _, tc := range []struct {
		name string
		c    *Client
		opts TunnelOptions
		want error
	}{
		{"no URL", c, TunnelOptions{Local: local}, ErrNoTunneller},
		{"not registered", c, TunnelOptions{URL: "https://tunnel.test", Local: local}, ErrNotRegistered},
	} {
		if err := tc.c.HoldTunnel(t.Context(), tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	fresh, _ := newTestClient(t, noNetwork(t), nil, nil)
	if err := fresh.HoldTunnel(t.Context(), TunnelOptions{URL: "https://tunnel.test", Local: local}); !errors.Is(err, ErrNotEnrolled) {
		t.Errorf("not enrolled: %v", err)
	}
	for name, opts := range map[string]TunnelOptions{
		"ftp URL":         {URL: "ftp://tunnel.test", Local: local},
		"nothing to do":   {URL: "https://tunnel.test"},
		"bad local":       {URL: "https://tunnel.test", Local: map[uint16]string{443: "8443"}},
		"port 0":          {URL: "https://tunnel.test", Local: map[uint16]string{0: "127.0.0.1:1"}},
		"bad UDP address": {URL: "https://tunnel.test", LocalUDP: "51820"},
	} {
		if err := c.HoldTunnel(t.Context(), opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHintTarget(t *testing.T) {
	gw, _ := url.Parse("https://euc.tunnel.wardnet.services:8443/edge")
	for _, tc := range []struct {
		base, hint, want string
	}{
		{"", "node-2.tunnel.wardnet.services", "https://node-2.tunnel.wardnet.services:8443/edge"},
		{"", "Node-2.Tunnel.Wardnet.Services.:443", "https://node-2.tunnel.wardnet.services:443/edge"},
		{"", "a.b.tunnel.wardnet.services", "https://a.b.tunnel.wardnet.services:8443/edge"},
		{"", "tunnel.wardnet.services", ""},      // the parent itself
		{"", "evil-tunnel.wardnet.services", ""}, // not under the parent
		{"", "node-2.tunnel.wardnet.services.evil.example", ""},
		{"", "203.0.113.7:443", ""},
		{"", "[2001:db8::1]:443", ""},
		{"", "node-2.tunnel.wardnet.services:0", ""},
		{"", "node-2.tunnel.wardnet.services:99999", ""},
		{"", "node-2.tunnel.wardnet.services:", ""},
		{"", "node_2.tunnel.wardnet.services", ""},
		{"", "", ""},
		{"https://tunnel.example", "node-2.tunnel.example", ""}, // a parent that is a TLD is no domain
		{"https://127.0.0.1:8082", "node-2.tunnel.example", ""},
		{"http://localhost:8082", "node-2.localhost", ""},
	} {
		base := gw
		if tc.base != "" {
			base, _ = url.Parse(tc.base)
		}
		got, ok := hintTarget(base, tc.hint)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("hint %q at %s: %q, %v; want %q", tc.hint, base, got, ok, tc.want)
		}
	}
}

// The default backoff doubles from 1 s to 60 s, each wait between half
// and all of its step; a stable tunnel resets it, and a 4003 is followed
// by one immediate dial.
func TestTunnelBackoff(t *testing.T) {
	for failures, step := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		6: 32 * time.Second, 7: 60 * time.Second, 8: 60 * time.Second, 1000: 60 * time.Second} {
		for range 50 {
			if d := TunnelBackoff(failures); d < step/2 || d > step {
				t.Fatalf("TunnelBackoff(%d) = %s, want within [%s, %s]", failures, d, step/2, step)
			}
		}
	}
	rc := reconnect{backoff: func(n int) time.Duration { return time.Duration(n) }}
	steps := []time.Duration{
		rc.failed(),                          // 1
		rc.failed(),                          // 2
		rc.ended(time.Second, false),         // 3: short-lived
		rc.ended(TunnelStableAfter, false),   // reset: 1
		rc.ended(time.Second, true),          // 4003: at once
		rc.ended(time.Second, true),          // 4003 again: backoff, 2
		rc.ended(TunnelStableAfter, true),    // a stable tunnel drained: at once
		rc.ended(2*TunnelStableAfter, false), // 1
	}
	if fmt.Sprint(steps) != "[1ns 2ns 3ns 1ns 0s 2ns 0s 1ns]" {
		t.Errorf("waits %v", steps)
	}
}
