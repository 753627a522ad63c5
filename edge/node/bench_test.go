package node_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/sni"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/benchreport"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// The end-to-end benchmarks of the tunnel edge (issue 11's "Must show",
// docs/benchmarks.md "Tunnel edge"). Every target path is
//
//	client ─TCP→ SNI listener (PROXY v1 + ClientHello) ─v2 stream over a
//	loopback WebSocket→ daemon session ─agent's relay→ local TCP service
//
// and every baseline is the same bytes over the same three loopback TCP
// hops with two plain io.Copy relays in a row (which splice(2)):
//
//	client ─TCP→ relay 1 ─TCP→ relay 2 ─TCP→ local TCP service
//
// The client sends a real ClientHello (crypto/tls's, captured) and then a
// mode byte, which the local service answers: 'U' it reads to EOF and
// answers the count, 'D' it sends the number of bytes that follows, 'E'
// it answers one byte. The same service serves both paths.

const (
	benchSlug   = "bench"
	benchServer = "www." + benchSlug + "." + zoneName
	// benchChunk is what every sender writes at a time, and every reader
	// reads into.
	benchChunk = 64 << 10
	// benchChildEnv makes the test binary a fleet of daemons for
	// BenchmarkIdleTunnelMemory (see init).
	benchChildEnv = "WARDNET_BENCH_EDGE_DAEMONS"
	// benchTunnelsEnv sets the number of idle tunnels.
	benchTunnelsEnv = "BENCH_EDGE_TUNNELS"
)

// benchZeros is what senders send.
var benchZeros = make([]byte, benchChunk)

// benchRig is one node over its own NATS and routing table, its SNI
// listener for port 443 (PROXY required, as behind the L4 proxy) and its
// tunnel endpoint, the local service, and the two-relay baseline in front
// of that service.
type benchRig struct {
	tb      testing.TB
	ctx     context.Context
	node    *node.Node
	sniAddr string
	relay   string // relay 1's address
	local   string // the local service's
	wsURL   string // the tunnel endpoint's, ws://…/v1/tunnel
	bareURL string // a bare WebSocket endpoint's, ws://…/bare
	hello   []byte // the captured ClientHello for benchServer
	// handlers counts the endpoint's handlers running (tunnels and bare
	// WebSockets), bare the bare WebSockets open.
	handlers, bare atomic.Int64
}

// newBenchRig starts a rig whose region holds the network benchSlug and
// the networks net-00000 … net-<extra-1>, all of one entitled tenant.
func newBenchRig(tb testing.TB, extra int) *benchRig {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	logger := slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	n := testenv.StartNATS(tb)
	c := events.NewCatalog()
	network.Register(c)
	subscription.Register(c)
	tenant.Register(c)
	store := n.Store(tb, c)

	// One tenant with an open trial owns every network.
	ten := ids.New[ids.TenantID]()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	benchDecide(tb, ctx, store, tenant.Type, ten.String(), func() ([]events.Payload, error) {
		return tenant.Create{TenantID: ten, Email: "sealed"}.Decide(tenant.Initial())
	})
	benchDecide(tb, ctx, store, subscription.Type, ten.String(), func() ([]events.Payload, error) {
		return subscription.OpenTrial{Entitlement: plan.Trial, Now: now}.Decide(subscription.Initial())
	})
	slugs := []naming.Slug{benchSlug}
	for i := range extra {
		slugs = append(slugs, naming.Slug(fmt.Sprintf("net-%05d", i)))
	}
	// Registered is enough for the table to route a network (provisioning
	// is admitted); one atomic batch per 100 keeps the setup short.
	for chunk := range slices.Chunk(slugs, 100) {
		var changes []events.Change
		for _, s := range chunk {
			changes = append(changes, events.Change{
				Aggregate: events.MustRef(network.Type, ids.New[ids.NetworkID]().String()),
				Events: []events.Payload{network.Registered{TenantID: ten, Slug: s, DisplayName: string(s), Region: region,
					RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: ids.DaemonKey{1}}},
			})
		}
		if _, err := store.Append(ctx, events.Meta{Actor: "bench"}, changes...); err != nil {
			tb.Fatal(err)
		}
	}
	table, err := route.New(store, route.Config{Region: region, Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	benchRun(tb, "route table", table.Run)
	last, err := store.LastSeq(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	testenv.Eventually(tb, patience, func() error {
		if got := table.Seq(); got < last {
			return fmt.Errorf("table at seq %d, log at %d", got, last)
		}
		return nil
	})

	zone, err := sni.ParseZone(zoneName)
	if err != nil {
		tb.Fatal(err)
	}
	// A lone node (no presence): a claim lives in JetStream KV, and the
	// NATS server runs in this process.
	nd, err := node.New(node.Config{Table: table, Zone: zone, MaxTunnels: max(len(slugs), node.DefaultMaxTunnels), Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	benchRun(tb, "node", nd.Run)
	r := &benchRig{tb: tb, ctx: ctx, node: nd, hello: captureHello(tb, benchServer)}
	ln := benchListen(tb)
	r.sniAddr = ln.Addr().String()
	benchRun(tb, "SNI listener", func(ctx context.Context) error {
		return nd.Serve(ctx, proxyproto.Wrap(ln, proxyproto.Required), 443)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/tunnel", func(w http.ResponseWriter, req *http.Request) { r.serveTunnel(w, req, table) })
	mux.HandleFunc("/bare", r.serveBare)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	ws := "ws" + strings.TrimPrefix(srv.URL, "http")
	r.wsURL, r.bareURL = ws+"/v1/tunnel", ws+"/bare"

	localLn := benchListen(tb)
	r.local = localLn.Addr().String()
	go benchAccept(localLn, r.serveLocal)
	relay2 := benchListen(tb)
	go benchAccept(relay2, func(c net.Conn) { relayConn(c, r.local) })
	relay1 := benchListen(tb)
	r.relay = relay1.Addr().String()
	go benchAccept(relay1, func(c net.Conn) { relayConn(c, relay2.Addr().String()) })
	return r
}

// benchDecide appends to a new aggregate what decide decided.
func benchDecide(tb testing.TB, ctx context.Context, store *events.Store, typ, id string, decide func() ([]events.Payload, error)) {
	tb.Helper()
	ps, err := decide()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := store.Append(ctx, events.Meta{Actor: "bench"}, events.Change{
		Aggregate: events.MustRef(typ, id), Expect: events.ExpectVersion(0), Events: ps,
	}); err != nil {
		tb.Fatal(err)
	}
}

// benchRun runs run until the benchmark ends.
func benchRun(tb testing.TB, what string, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := run(ctx); err != nil && ctx.Err() == nil {
			tb.Errorf("%s: %v", what, err)
		}
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			tb.Errorf("%s did not stop within %s", what, patience)
		}
	})
}

func benchListen(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ln.Close() })
	return ln
}

// benchAccept serves every connection of ln with serve, until ln closes.
func benchAccept(ln net.Listener, serve func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go serve(c)
	}
}

// captureHello is the ClientHello crypto/tls sends for serverName (with
// its default post-quantum key share, about 1.5 KB in one record).
func captureHello(tb testing.TB, serverName string) []byte {
	tb.Helper()
	cl, sv := net.Pipe()
	defer cl.Close()
	defer sv.Close()
	go func() {
		_ = tls.Client(cl, &tls.Config{ServerName: serverName, NextProtos: []string{"h2", "http/1.1"}}).Handshake()
	}()
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(sv, hdr); err != nil {
		tb.Fatal(err)
	}
	body := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
	if _, err := io.ReadFull(sv, body); err != nil {
		tb.Fatal(err)
	}
	return append(hdr, body...)
}

// serveTunnel is the tunnel endpoint as gateways/inbound/tunnelapi runs
// it, without authentication: v2 only, the network from the query.
func (r *benchRig) serveTunnel(w http.ResponseWriter, req *http.Request, table *route.Table) {
	r.handlers.Add(1)
	defer r.handlers.Add(-1)
	rt, ok := table.Lookup(naming.Slug(req.URL.Query().Get("slug")))
	if !ok {
		http.Error(w, "network not found", http.StatusForbidden)
		return
	}
	c, err := websocket.Accept(w, req, &websocket.AcceptOptions{
		CompressionMode: websocket.CompressionDisabled, Subprotocols: []string{frame.SubprotocolV2}})
	if err != nil {
		return
	}
	if c.Subprotocol() != frame.SubprotocolV2 {
		_ = c.Close(websocket.StatusPolicyViolation, "v2 only")
		return
	}
	s := tunnel.NewNode(tunnel.NewWebSocketConn(c, frame.V2), tunnel.Options{})
	tun := node.V2(s)
	ctx := context.WithoutCancel(req.Context())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_ = s.Run(ctx)
	}()
	release, err := r.node.Hold(ctx, rt, tun)
	if err != nil {
		r.tb.Errorf("Hold %s: %v", rt.Slug, err)
		_ = tun.Close(node.CloseCodeFor(err))
		<-ran
		return
	}
	<-ran
	release()
}

// serveBare holds a bare WebSocket, reading until it closes: the least a
// WebSocket endpoint holds per connection (the memory baseline).
func (r *benchRig) serveBare(w http.ResponseWriter, req *http.Request) {
	r.handlers.Add(1)
	defer r.handlers.Add(-1)
	c, err := websocket.Accept(w, req, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	r.bare.Add(1)
	defer r.bare.Add(-1)
	for {
		if _, _, err := c.Read(context.Background()); err != nil {
			_ = c.CloseNow()
			return
		}
	}
}

// serveLocal is the daemon's local service behind both paths: it checks
// the ClientHello, then does what the mode byte after it says.
func (r *benchRig) serveLocal(c net.Conn) {
	defer c.Close()
	head := make([]byte, len(r.hello)+1)
	if _, err := io.ReadFull(c, head); err != nil || !bytes.Equal(head[:len(r.hello)], r.hello) {
		return // the client sees the close
	}
	switch head[len(r.hello)] {
	case 'U': // read to EOF, answer the count
		n, err := drain(c)
		if err != nil {
			return
		}
		_, _ = c.Write(binary.BigEndian.AppendUint64(nil, uint64(n)))
	case 'D': // send the count asked for, then wait for the client's EOF
		var size [8]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			return
		}
		if sendN(c, int64(binary.BigEndian.Uint64(size[:]))) != nil {
			return
		}
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = drain(c)
	case 'E': // answer one byte, then wait for the client's EOF
		if _, err := c.Write([]byte{'x'}); err != nil {
			return
		}
		_, _ = drain(c)
	}
}

// drainBufs keeps the harness's own allocations out of the figures that
// b.ReportAllocs prints.
var drainBufs = sync.Pool{New: func() any { return new([benchChunk]byte) }}

// drain reads c to EOF through a buffer of benchChunk bytes.
func drain(c io.Reader) (int64, error) {
	b := drainBufs.Get().(*[benchChunk]byte)
	defer drainBufs.Put(b)
	buf := b[:]
	var n int64
	for {
		k, err := c.Read(buf)
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// sendN writes n zero bytes to c, benchChunk at a time.
func sendN(c io.Writer, n int64) error {
	for n > 0 {
		k := min(n, benchChunk)
		if _, err := c.Write(benchZeros[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// relayConn is a plain relay: it connects c to next and copies both ways
// with io.Copy (splice(2) between TCP sockets), each direction's EOF
// half-closing the other side.
func relayConn(c net.Conn, next string) {
	defer c.Close()
	d, err := net.Dial("tcp", next)
	if err != nil {
		return
	}
	defer d.Close()
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := io.Copy(d, c); err != nil {
			_, _ = c.Close(), d.Close()
			return
		}
		_ = d.(*net.TCPConn).CloseWrite()
	})
	if _, err := io.Copy(c, d); err != nil {
		_, _ = c.Close(), d.Close()
	} else {
		_ = c.(*net.TCPConn).CloseWrite()
	}
	wg.Wait()
}

// daemon connects a v2 daemon of benchSlug that relays every stream to the
// local service as wardnet-agent does (agent/tunnel_relay.go), and waits
// until the node holds its tunnel.
func (r *benchRig) daemon() {
	tb := r.tb
	tb.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, patience)
	defer cancel()
	c, _, err := websocket.Dial(ctx, r.wsURL+"?slug="+benchSlug, &websocket.DialOptions{Subprotocols: frame.Subprotocols()})
	if err != nil {
		tb.Fatal(err)
	}
	s := tunnel.NewDaemon(tunnel.NewWebSocketConn(c, frame.V2), tunnel.Options{})
	var wg sync.WaitGroup
	tb.Cleanup(func() {
		_ = s.Close(tunnel.CloseNormal)
		wg.Wait()
	})
	wg.Go(func() { _ = s.Run(context.Background()) })
	wg.Go(func() {
		for {
			st, err := s.Accept(context.Background())
			if err != nil {
				return
			}
			go agentRelay(st, r.local)
		}
	})
	testenv.Eventually(tb, patience, func() error {
		if n := r.node.Stats().Tunnels; n != 1 {
			return fmt.Errorf("%d tunnels held", n)
		}
		return nil
	})
}

// agentRelay is the agent's relay of one stream: dial the local service,
// confirm, then io.Copy toward it and the stream's ReadFrom back, each
// EOF a half-close.
func agentRelay(st *tunnel.Stream, local string) {
	c, err := net.Dial("tcp", local)
	if err != nil {
		_ = st.Refuse(frame.RefuseConnectFailed)
		return
	}
	conn := c.(*net.TCPConn)
	defer conn.Close()
	defer st.Close()
	if st.Confirm() != nil {
		return
	}
	toLocal := make(chan struct{})
	go func() {
		defer close(toLocal)
		if _, err := io.Copy(conn, st); err != nil {
			_ = st.Reset(frame.ResetCancel)
			_ = conn.Close()
			return
		}
		_ = conn.CloseWrite()
	}()
	if _, err := st.ReadFrom(conn); err != nil {
		_ = st.Reset(frame.ResetCancel)
		_ = conn.Close()
	} else {
		_ = st.CloseWrite()
	}
	<-toLocal
}

// dial connects a client to the node (target) or to relay 1 and sends
// the PROXY header (to the node: the L4 proxy's), the ClientHello and
// then rest, in one write.
func (r *benchRig) dial(target bool, rest ...byte) (*net.TCPConn, error) {
	addr, head := r.relay, []byte(nil)
	if target {
		addr = r.sniAddr
		head = []byte("PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n")
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(patience))
	head = append(append(head, r.hello...), rest...)
	if _, err := c.Write(head); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

// up sends n bytes from a client to the local service, and returns once
// the service has counted all of them.
func (r *benchRig) up(target bool, n int64) error {
	c, err := r.dial(target, 'U')
	if err != nil {
		return err
	}
	defer c.Close()
	if err := sendN(c, n); err != nil {
		return err
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	var count [8]byte
	if _, err := io.ReadFull(c, count[:]); err != nil {
		return fmt.Errorf("read the count: %w", err)
	}
	if got := int64(binary.BigEndian.Uint64(count[:])); got != n {
		return fmt.Errorf("the service got %d bytes, not %d", got, n)
	}
	_, err = drain(c)
	return err
}

// down has the local service send n bytes to a client, and returns once
// the client has read them and the service's EOF.
func (r *benchRig) down(target bool, n int64) error {
	c, err := r.dial(target, binary.BigEndian.AppendUint64([]byte{'D'}, uint64(n))...)
	if err != nil {
		return err
	}
	defer c.Close()
	got, err := drain(c)
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("the client got %d bytes, not %d", got, n)
	}
	return nil
}

// setup is the time from a client's dial to the first byte of the
// service's answer to its ClientHello; then the connection is closed
// both ways before it returns.
func (r *benchRig) setup(target bool) (time.Duration, error) {
	start := time.Now()
	c, err := r.dial(target, 'E')
	if err != nil {
		return 0, err
	}
	defer c.Close()
	var one [1]byte
	if _, err := io.ReadFull(c, one[:]); err != nil {
		return 0, err
	}
	took := time.Since(start)
	if err := c.CloseWrite(); err != nil {
		return 0, err
	}
	_, err = drain(c)
	return took, err
}

// BenchmarkStreamThroughput is one stream's throughput through the SNI
// listener, a v2 tunnel over a loopback WebSocket and the agent's relay,
// against two io.Copy relays in a row, in each direction: up is the
// client sending to the local service, down the service sending to the
// client. Summary lines edge.stream_up and edge.stream_down, in MB/s.
func BenchmarkStreamThroughput(b *testing.B) {
	const size, rounds = 64 << 20, 6
	r := newBenchRig(b, 0)
	r.daemon()
	for _, dir := range []struct {
		name string
		move func(bool, int64) error
	}{{"up", r.up}, {"down", r.down}} {
		b.Run(dir.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				run := func(target bool) func() {
					return func() {
						if err := dir.move(target, size); err != nil {
							b.Fatal(err)
						}
					}
				}
				tt, bt := benchreport.Interleave(rounds, run(true), run(false))
				mbps := func(d time.Duration) float64 { return size / d.Seconds() / 1e6 }
				b.ReportMetric(mbps(tt), "MB/s")
				b.ReportMetric(mbps(bt), "relay-MB/s")
				benchreport.Record("edge.stream_"+dir.name, mbps(tt), "MB/s", mbps(bt))
			}
		})
	}
}

// Benchmark64Streams is 64 streams at once through one tunnel, 32 sending
// to the local service and 32 receiving from it, each moving 4 MiB,
// against 64 connections through the two relays. Summary line
// edge.streams64, the aggregate in MB/s.
func Benchmark64Streams(b *testing.B) {
	const streams, size, rounds = 64, 4 << 20, 4
	r := newBenchRig(b, 0)
	r.daemon()
	b.ReportAllocs()
	for b.Loop() {
		run := func(target bool) func() {
			return func() {
				errs := make([]error, streams)
				var wg sync.WaitGroup
				for i := range streams {
					move := r.up
					if i%2 == 1 {
						move = r.down
					}
					wg.Go(func() { errs[i] = move(target, size) })
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					b.Fatal(err)
				}
			}
		}
		tt, bt := benchreport.Interleave(rounds, run(true), run(false))
		mbps := func(d time.Duration) float64 { return streams * size / d.Seconds() / 1e6 }
		b.ReportMetric(mbps(tt), "MB/s")
		b.ReportMetric(mbps(bt), "relay-MB/s")
		benchreport.Record("edge.streams64", mbps(tt), "MB/s", mbps(bt))
	}
}

// BenchmarkSetupLatency is the time from a client's dial to the first
// byte of the local service's answer to its ClientHello, one connection
// at a time: the node reads the PROXY header and the whole hello, routes
// it and opens a stream (its OPEN and the hello in one go), the agent
// dials the service; against the same through the two relays. Rounds of
// 50 connections alternate between the two; the summary lines
// edge.setup_p50 and edge.setup_p99 are over all of a run's connections,
// in µs.
func BenchmarkSetupLatency(b *testing.B) {
	const perRound, rounds = 50, 20
	r := newBenchRig(b, 0)
	r.daemon()
	for _, target := range []bool{true, false} { // warm both paths up
		if _, err := r.setup(target); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var tgt, base []time.Duration
		run := func(target bool, into *[]time.Duration) func() {
			return func() {
				for range perRound {
					d, err := r.setup(target)
					if err != nil {
						b.Fatal(err)
					}
					*into = append(*into, d)
				}
			}
		}
		benchreport.Interleave(rounds, run(true, &tgt), run(false, &base))
		us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
		p50, p99 := benchQuantile(tgt, 0.5), benchQuantile(tgt, 0.99)
		b50, b99 := benchQuantile(base, 0.5), benchQuantile(base, 0.99)
		b.ReportMetric(us(p50), "p50-µs")
		b.ReportMetric(us(p99), "p99-µs")
		b.ReportMetric(us(b50), "relay-p50-µs")
		b.ReportMetric(us(b99), "relay-p99-µs")
		benchreport.Record("edge.setup_p50", us(p50), "µs", us(b50))
		benchreport.Record("edge.setup_p99", us(p99), "µs", us(b99))
	}
}

// benchQuantile is the q-th quantile (0 < q ≤ 1) of ds.
func benchQuantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*q+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// BenchmarkIdleTunnelMemory is the node's memory per idle tunnel with
// BENCH_EDGE_TUNNELS (default 10 000) tunnels held at once, each a real
// WebSocket with a v2 session at both ends and held by the node.
//
// The daemons run in a child process (this test binary, see init), so
// that the heap measured here is the node's alone: its endpoint's HTTP
// connection and WebSocket, its session and what Hold keeps. The figure is
// the growth of the live heap (/memory/classes/heap/objects:bytes after
// two collections) from before the daemons dial to when the node holds
// all of them, divided by their number; the baseline is the same for as
// many bare WebSockets, accepted with the same options and read by their
// handler. Summary lines edge.idle_tunnel_heap (heap objects) and
// edge.idle_tunnel_mem (heap objects and goroutine stacks), in KiB per
// tunnel. Kernel socket buffers are not counted.
func BenchmarkIdleTunnelMemory(b *testing.B) {
	k := 10_000
	if s := os.Getenv(benchTunnelsEnv); s != "" {
		var err error
		if k, err = strconv.Atoi(s); err != nil || k <= 0 {
			b.Fatalf("%s=%q: want a positive number", benchTunnelsEnv, s)
		}
	}
	r := newBenchRig(b, k)
	held := func() int64 { return int64(r.node.Stats().Tunnels) }
	open := func() int64 { return r.bare.Load() }
	round := 0
	for b.Loop() {
		tunnels := func() memSample { return r.idleFleet("tunnel", k, held) }
		bare := func() memSample { return r.idleFleet("bare", k, open) }
		var t, base memSample
		if round%2 == 0 {
			t, base = tunnels(), bare()
		} else {
			base, t = bare(), tunnels()
		}
		round++
		kib := func(v float64) float64 { return v / float64(k) / 1024 }
		b.Logf("%d idle tunnels: heap %.1f KiB, stacks %.1f KiB, %.2f goroutines per tunnel; "+
			"bare WebSockets: heap %.1f KiB, stacks %.1f KiB, %.2f goroutines each; fleet up in %s (bare %s)",
			k, kib(t.heap), kib(t.stacks), t.goroutines/float64(k),
			kib(base.heap), kib(base.stacks), base.goroutines/float64(k), t.up.Round(time.Millisecond), base.up.Round(time.Millisecond))
		b.ReportMetric(kib(t.heap), "heap-KiB/tunnel")
		b.ReportMetric(kib(t.heap+t.stacks), "KiB/tunnel")
		benchreport.Record("edge.idle_tunnel_heap", kib(t.heap), "KiB", kib(base.heap))
		benchreport.Record("edge.idle_tunnel_mem", kib(t.heap+t.stacks), "KiB", kib(base.heap+base.stacks))
	}
}

// memSample is the growth of the node process's memory while a fleet is
// connected.
type memSample struct {
	heap, stacks, goroutines float64
	up                       time.Duration // from the spawn until all were held
}

// idleFleet starts a child process that connects k daemons in mode
// ("tunnel": v2 sessions to the tunnel endpoint, "bare": bare WebSockets
// to /bare), waits until count says k, samples the memory, then stops the
// child and waits until count says 0 and every handler has returned.
func (r *benchRig) idleFleet(mode string, k int, count func() int64) memSample {
	tb := r.tb
	tb.Helper()
	before := readMem()
	url := r.wsURL
	if mode == "bare" {
		url = r.bareURL
	}
	start := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d", benchChildEnv, mode, url, k))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = stdin.Close()
			_ = cmd.Wait()
		}
	}
	defer stop()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		tb.Fatalf("the %s daemons: %q, %v", mode, line, err)
	}
	testenv.Eventually(tb, 2*patience, func() error {
		if got := count(); got != int64(k) {
			return fmt.Errorf("%d of %d %s connections up", got, k, mode)
		}
		return nil
	})
	up := time.Since(start)
	after := readMem()
	stop()
	testenv.Eventually(tb, 2*patience, func() error {
		if got, h := count(), r.handlers.Load(); got != 0 || h != 0 {
			return fmt.Errorf("%d %s connections, %d handlers left", got, mode, h)
		}
		return nil
	})
	return memSample{heap: after.heap - before.heap, stacks: after.stacks - before.stacks,
		goroutines: after.goroutines - before.goroutines, up: up}
}

// readMem collects garbage twice and reads the live heap, the goroutine
// stacks and the number of goroutines.
func readMem() memSample {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
		{Name: "/sched/goroutines:goroutines"},
	}
	metrics.Read(s)
	return memSample{heap: float64(s[0].Value.Uint64()), stacks: float64(s[1].Value.Uint64()),
		goroutines: float64(s[2].Value.Uint64())}
}

// init turns the test binary into BenchmarkIdleTunnelMemory's fleet of
// daemons when benchChildEnv says "<mode> <url> <k>"; it never returns
// then.
func init() {
	spec := os.Getenv(benchChildEnv)
	if spec == "" {
		return
	}
	if err := runFleet(spec); err != nil {
		fmt.Fprintln(os.Stderr, "bench fleet:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runFleet connects the fleet, says "ready", and holds it until stdin
// closes.
func runFleet(spec string) error {
	var mode, url string
	var k int
	if _, err := fmt.Sscanf(spec, "%s %s %d", &mode, &url, &k); err != nil {
		return fmt.Errorf("%q: %w", spec, err)
	}
	ctx := context.Background()
	opts := &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled}
	if mode == "tunnel" {
		opts.Subprotocols = frame.Subprotocols()
	}
	jobs := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := range jobs {
				if err := dialOne(ctx, mode, fmt.Sprintf("%s?slug=net-%05d", url, i), opts); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range k {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// dialOne connects one daemon (a v2 session that accepts streams and
// flows, as the agent's) or one bare WebSocket (read and discarded),
// retrying a few times.
func dialOne(ctx context.Context, mode, url string, opts *websocket.DialOptions) error {
	var c *websocket.Conn
	var err error
	for try := range 5 {
		dctx, cancel := context.WithTimeout(ctx, patience)
		c, _, err = websocket.Dial(dctx, url, opts)
		cancel()
		if err == nil {
			break
		}
		time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	if mode != "tunnel" {
		c.CloseRead(ctx)
		return nil
	}
	if c.Subprotocol() != frame.SubprotocolV2 {
		return fmt.Errorf("negotiated %q", c.Subprotocol())
	}
	s := tunnel.NewDaemon(tunnel.NewWebSocketConn(c, frame.V2), tunnel.Options{})
	go func() { _ = s.Run(ctx) }()
	go func() {
		for {
			st, err := s.Accept(ctx)
			if err != nil {
				return
			}
			_ = st.Refuse(frame.RefusePortNotServed)
		}
	}()
	go func() {
		for {
			fl, err := s.AcceptFlow(ctx)
			if err != nil {
				return
			}
			_ = fl.Close()
		}
	}()
	return nil
}
