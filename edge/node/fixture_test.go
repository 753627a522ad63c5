package node_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/sni"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	region   = naming.Region("eu-west")
	zoneName = "tunnel.example.net"
	// patience bounds every wait for what runs in the background.
	patience = 20 * time.Second
	// promptly is how soon a lapse must close the tunnel: within a second
	// of its event (the requirement).
	promptly = time.Second
)

// env is one test's region: in-process NATS with the EVENTS stream, a
// routing table following it, and events decided by the aggregates' own
// Decide on the state their Evolve folds from the log.
type env struct {
	t     *testing.T
	ctx   context.Context
	nats  *testenv.NATS
	store *events.Store
	table *route.Table
	zone  sni.Zone
	now   time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	n := testenv.StartNATS(t)
	c := events.NewCatalog()
	network.Register(c)
	subscription.Register(c)
	tenant.Register(c)
	e := &env{t: t, ctx: ctx, nats: n, store: n.Store(t, c), now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	var err error
	if e.zone, err = sni.ParseZone(zoneName); err != nil {
		t.Fatal(err)
	}
	if e.table, err = route.New(e.store, route.Config{Region: region, Logger: testLogger(t)}); err != nil {
		t.Fatal(err)
	}
	runUntilCleanup(t, "route table", e.table.Run)
	select {
	case <-e.table.Ready():
	case <-time.After(patience):
		t.Fatal("routing table not ready")
	}
	return e
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// runUntilCleanup runs run until the test ends, then cancels it and waits
// for it to return.
func runUntilCleanup(t *testing.T, what string, run func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := run(ctx); err != nil && ctx.Err() == nil {
			t.Errorf("%s: %v", what, err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			t.Errorf("%s did not stop within %s", what, patience)
		}
	})
}

// execute loads aggregate typ/id with evolve, decides, and appends.
func execute[S any](e *env, typ, id string, initial S, evolve func(S, events.Record) S, decide func(S) ([]events.Payload, error)) {
	e.t.Helper()
	ref := events.MustRef(typ, id)
	s, version := initial, events.StreamSeq(0)
	for rec, err := range e.store.Load(e.ctx, ref, 0) {
		if err != nil {
			e.t.Fatal(err)
		}
		s, version = evolve(s, rec), rec.Seq
	}
	ps, err := decide(s)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.Append(e.ctx, events.Meta{Actor: "test"}, events.Change{
		Aggregate: ref, Expect: events.ExpectVersion(version), Events: ps,
	}); err != nil {
		e.t.Fatal(err)
	}
}

// tenant creates a tenant with an open trial.
func (e *env) tenant() ids.TenantID {
	e.t.Helper()
	id := ids.New[ids.TenantID]()
	execute(e, tenant.Type, id.String(), tenant.Initial(), tenant.Evolve, tenant.Create{TenantID: id, Email: "sealed"}.Decide)
	execute(e, subscription.Type, id.String(), subscription.Initial(), subscription.Evolve,
		subscription.OpenTrial{Entitlement: plan.Trial, Now: e.now}.Decide)
	return id
}

// network registers and activates a network of ten in the region, and
// waits until the table knows it.
func (e *env) network(ten ids.TenantID, slug string) ids.NetworkID {
	e.t.Helper()
	id := ids.New[ids.NetworkID]()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	key, err := ids.DaemonKeyOf(pub)
	if err != nil {
		e.t.Fatal(err)
	}
	e.onNetwork(id, network.RegisterNetwork{TenantID: ten, Slug: naming.Slug(slug), DisplayName: slug,
		Region: region, RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: key}.Decide)
	e.onNetwork(id, network.Activate{}.Decide)
	e.caughtUp()
	return id
}

func (e *env) onNetwork(id ids.NetworkID, decide func(network.State) ([]events.Payload, error)) {
	e.t.Helper()
	execute(e, network.Type, id.String(), network.Initial(), network.Evolve, decide)
}

func (e *env) deprovision(id ids.NetworkID) {
	e.t.Helper()
	e.onNetwork(id, network.Deprovision{Reason: network.ReasonUser}.Decide)
}

func (e *env) closeSubscription(ten ids.TenantID) {
	e.t.Helper()
	execute(e, subscription.Type, ten.String(), subscription.Initial(), subscription.Evolve,
		subscription.Close{Reason: subscription.ReasonExpired}.Decide)
}

// caughtUp waits until the table has applied the whole log.
func (e *env) caughtUp() {
	e.t.Helper()
	last, err := e.store.LastSeq(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	testenv.Eventually(e.t, patience, func() error {
		if got := e.table.Seq(); got < last {
			return fmt.Errorf("table at seq %d, log at %d", got, last)
		}
		return nil
	})
}

// testNode is a node under test: its presence, its SNI listener for port
// 443 (behind PROXY headers) and its tunnel endpoint, an httptest server
// that upgrades to a WebSocket, negotiates the version and calls Hold as
// the service will.
type testNode struct {
	*node.Node
	t        *testing.T
	env      *env
	id       presence.NodeID
	presence *presence.Presence
	addr     string // the SNI listener's
	endpoint *httptest.Server
	holds    chan error // what Hold said to each tunnel
}

// startNode starts node id over env with cfg (Table, Presence, Self, Zone
// and Logger are filled in).
func (e *env) startNode(id presence.NodeID, cfg node.Config) *testNode {
	t := e.t
	t.Helper()
	p, err := presence.Open(e.ctx, e.nats.JS, presence.Config{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	runUntilCleanup(t, "presence "+string(id), p.Run)
	cfg.Table, cfg.Presence, cfg.Self, cfg.Zone = e.table, p, id, e.zone
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	runUntilCleanup(t, "node "+string(id), n.Run)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{Node: n, t: t, env: e, id: id, presence: p, addr: ln.Addr().String(), holds: make(chan error, 16)}
	runUntilCleanup(t, "listener of "+string(id), func(ctx context.Context) error {
		return n.Serve(ctx, proxyproto.Wrap(ln, proxyproto.Required), 443)
	})
	tn.endpoint = httptest.NewServer(http.HandlerFunc(tn.serveTunnel))
	t.Cleanup(tn.endpoint.Close)
	return tn
}

// serveTunnel is the tunnel endpoint: the network comes from the query
// (the service takes it from the token), the version from the
// subprotocol.
func (tn *testNode) serveTunnel(w http.ResponseWriter, r *http.Request) {
	rt, ok := tn.env.table.Lookup(naming.Slug(r.URL.Query().Get("slug")))
	if !ok {
		http.Error(w, "network not found", http.StatusForbidden)
		return
	}
	v, echo := frame.Negotiate(r.Header.Values("Sec-WebSocket-Protocol"))
	var protos []string
	if echo != "" {
		protos = []string{echo}
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protos})
	if err != nil {
		return
	}
	conn := tunnel.NewWebSocketConn(c, v)
	var tun node.Tunnel
	var run func(context.Context) error
	if v == frame.V1 {
		s := tunnel.NewV1Node(conn, tunnel.V1Options{})
		tun, run = node.V1(s), s.Run
	} else {
		s := tunnel.NewNode(conn, tunnel.Options{})
		tun, run = node.V2(s), s.Run
	}
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_ = run(context.WithoutCancel(r.Context()))
	}()
	release, err := tn.Hold(r.Context(), rt, tun)
	tn.holds <- err
	if err != nil {
		_ = tun.Close(node.CloseCodeFor(err))
		<-ran
		return
	}
	<-ran
	release()
}

// holder is the network's holder in presence, "" for none.
func (tn *testNode) holder(id ids.NetworkID) presence.NodeID {
	tn.t.Helper()
	h, _, err := tn.presence.Holder(tn.env.ctx, id)
	if err != nil {
		tn.t.Fatal(err)
	}
	return h
}

// refusals is the listener's count of refusals for reason.
func (tn *testNode) refusals(reason string) uint64 {
	return tn.Stats().Listeners[443].Refusals[reason]
}

// waitRefusals waits until the listener has counted want refusals for
// reason.
func (tn *testNode) waitRefusals(reason string, want uint64) {
	tn.t.Helper()
	testenv.Eventually(tn.t, patience, func() error {
		if got := tn.refusals(reason); got != want {
			return fmt.Errorf("%s refusals: %d, want %d (all: %v)", reason, got, want, tn.Stats().Listeners[443].Refusals)
		}
		return nil
	})
}

// dialWS dials the node's tunnel endpoint for slug, offering protocols.
func (tn *testNode) dialWS(slug string, protocols ...string) *websocket.Conn {
	tn.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	u := "ws" + strings.TrimPrefix(tn.endpoint.URL, "http") + "/v1/tunnel?slug=" + slug
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: protocols})
	if err != nil {
		tn.t.Fatalf("dial the tunnel endpoint: %v", err)
	}
	tn.t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// held waits for Hold's answer to the latest tunnel.
func (tn *testNode) held() error {
	tn.t.Helper()
	select {
	case err := <-tn.holds:
		return err
	case <-time.After(patience):
		tn.t.Fatal("Hold never answered")
		return nil
	}
}

// closeCode is the code a session ended with, or 0 while it runs.
func closeCode(err error) frame.CloseCode {
	var ce *tunnel.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// waitGroup runs goroutines a test owns and waits for them at its end.
type waitGroup struct{ sync.WaitGroup }

func (wg *waitGroup) cleanup(t *testing.T) {
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(patience):
			t.Errorf("goroutines still running after %s", patience)
		}
	})
}
