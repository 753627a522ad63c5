package tunnelapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/endpoint/endpointtest"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tenants"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// patience bounds every wait for what runs in the background.
const patience = 30 * time.Second

// stack is the tunneller service as production assembles it
// (services/tunneller, through servicetest), on real NATS and Postgres,
// beside a real tenants service in the same process: tokens come from its
// signer, and the API verifies them with its JWKS, fetched over HTTP. The
// SNI listeners take no PROXY header.
type stack struct {
	t       *testing.T
	tenants *servicetest.Tenants
	edge    *servicetest.Tunneller
	store   *events.Store // the log, with the tenants' catalogue
	logs    *testenv.Logs // the tunneller's
	ips     atomic.Int32  // distinct client addresses at tenants
}

func newStack(t *testing.T, opts ...tunneller.Option) *stack {
	t.Helper()
	n := testenv.StartNATS(t)
	ten := servicetest.StartTenants(t, servicetest.TenantsConfig(t, n, testenv.Postgres(t)))
	logs := testenv.NewLogs(t)
	edge := servicetest.StartTunneller(t, servicetest.TunnellerConfig(t, n, testenv.Postgres(t), ten.URL),
		append([]tunneller.Option{tunneller.WithServiceOptions(host.WithLogger(logs.Logger()))}, opts...)...)
	return &stack{t: t, tenants: ten, edge: edge, store: n.Store(t, tenants.Catalog()), logs: logs}
}

// daemon is an enrolled daemon: the agent that drives tenants for it, and
// its key for hand-made requests to the tunneller.
type daemon struct {
	s       *stack
	agent   *agent.Client
	tenant  string
	network string // empty until registered
	slug    string
	key     ed25519.PrivateKey

	mu     sync.Mutex
	lastTS int64
}

// enroll makes a daemon of a new tenant with account email email.
func (s *stack) enroll(email string) *daemon {
	t := s.t
	t.Helper()
	n := s.ips.Add(1)
	ip := fmt.Sprintf("198.18.%d.%d", n/250, 1+n%250)
	hc := &http.Client{Transport: forwardedFor{ip: ip, next: http.DefaultTransport}}
	state := filepath.Join(t.TempDir(), "state.json")
	c, err := agent.NewClient(s.tenants.URL, hc, state, agent.WithLogger(s.logs.Logger().With("daemon", email)))
	must(t, err)
	code, err := c.RequestCode(t.Context(), email)
	must(t, err)
	tenant, err := c.Enroll(t.Context(), code)
	must(t, err)
	return &daemon{s: s, agent: c, tenant: string(tenant), key: readKey(t, state)}
}

// register registers a network named slug in region reg for the daemon.
func (d *daemon) register(slug, reg string) *daemon {
	t := d.s.t
	t.Helper()
	n, err := d.agent.RegisterNetwork(t.Context(), slug, "", reg)
	must(t, err)
	d.network, d.slug = string(n.ID), slug
	return d
}

// token is the daemon's current token: network-scoped once registered.
func (d *daemon) token() string {
	d.s.t.Helper()
	tok, err := d.agent.Token(d.s.t.Context())
	must(d.s.t, err)
	return tok
}

// claims are the claims of a token of the daemon's, signed by tenants'
// own key: what tests use for tokens tenants would not mint.
func (d *daemon) claims(network string) tokens.Claims {
	return tokens.DaemonClaims(d.tenant, d.key.Public().(ed25519.PublicKey), network, time.Now())
}

// sign signs claims with tenants' key.
func (s *stack) sign(c tokens.Claims) string {
	s.t.Helper()
	tok, err := s.tenants.Signer().Sign(c)
	must(s.t, err)
	return tok
}

// nextTS is a timestamp for the daemon's next signed request: now, or a
// second after its last, so that two requests alike are not a replay.
func (d *daemon) nextTS() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	ts := max(time.Now().Unix(), d.lastTS+1)
	d.lastTS = ts
	return time.Unix(ts, 0)
}

// readKey reads the daemon's key from its state file, as only a test does.
func readKey(t *testing.T, path string) ed25519.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	var st struct {
		Seed string `json:"seed"`
	}
	must(t, json.Unmarshal(b, &st))
	seed, err := base64.StdEncoding.DecodeString(st.Seed)
	must(t, err)
	return ed25519.NewKeyFromSeed(seed)
}

// request is one hand-made call to the tunneller's API.
type request struct {
	path   string // default /v1/tunnel
	bearer string
	sign   ed25519.PrivateKey
	at     time.Time // the signature's time; zero is now
	header http.Header
}

type reply struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request
	resp   *http.Response
}

// build is c as an *http.Request, signed.
func (s *stack) build(c request) *http.Request {
	s.t.Helper()
	if c.path == "" {
		c.path = "/v1/tunnel"
	}
	req, err := http.NewRequest(http.MethodGet, s.edge.URL+c.path, nil)
	must(s.t, err)
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.sign != nil {
		at := c.at
		if at.IsZero() {
			at = time.Now()
		}
		pop.SignRequest(req, c.sign, nil, at)
	}
	for k, vs := range c.header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	return req
}

// do sends a request that is not an upgrade and checks the answer against
// the OpenAPI document.
func (s *stack) do(c request) *reply {
	t := s.t
	t.Helper()
	return s.send(s.build(c))
}

func (s *stack) send(req *http.Request) *reply {
	t := s.t
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	must(t, err)
	resp.Body = io.NopCloser(bytes.NewReader(got))
	r := &reply{status: resp.StatusCode, header: resp.Header, body: got, req: req, resp: resp}
	r.conforms(t)
	return r
}

// call is an authenticated request of the daemon's that asks for no
// upgrade: 426 once admitted, else the refusal.
func (d *daemon) call(path string) *reply {
	d.s.t.Helper()
	return d.s.do(request{path: path, bearer: d.token(), sign: d.key, at: d.nextTS()})
}

// waitAdmitted waits until the node's routing table admits the daemon's
// network (its trial opened, the events applied): a request without an
// upgrade is then answered 426 rather than 403.
func (d *daemon) waitAdmitted() {
	d.s.t.Helper()
	testenv.Eventually(d.s.t, patience, func() error {
		if r := d.call(""); r.status != http.StatusUpgradeRequired {
			return fmt.Errorf("not admitted yet: %d %s", r.status, r.body)
		}
		return nil
	})
}

func (r *reply) shown() string { return fmt.Sprintf("%q", r.body) }

// wantError checks that r is status with the body {"error": msg}.
func (r *reply) wantError(t testing.TB, status int, msg string) {
	t.Helper()
	endpointtest.Answer{Request: r.req.Method + " " + r.req.URL.Path, Status: r.status, Header: r.header, Body: r.body, Shown: r.shown()}.
		WantError(t, status, msg)
}

// dial opens the daemon's tunnel at path (default /v1/tunnel) offering
// protocols, signed with its key and current token.
func (d *daemon) dial(path string, protocols []string, opts *websocket.DialOptions) (*websocket.Conn, error) {
	return d.dialWith(path, d.token(), protocols, opts)
}

func (d *daemon) dialWith(path, token string, protocols []string, opts *websocket.DialOptions) (*websocket.Conn, error) {
	s := d.s
	s.t.Helper()
	req := s.build(request{path: path, bearer: token, sign: d.key, at: d.nextTS()})
	if opts == nil {
		opts = &websocket.DialOptions{}
	}
	opts.HTTPHeader = req.Header
	opts.Subprotocols = protocols
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, req.URL.String(), opts)
	if err != nil {
		if resp != nil && resp.Body != nil {
			body, _ := io.ReadAll(resp.Body)
			return nil, fmt.Errorf("%w: %d %s", err, resp.StatusCode, body)
		}
		return nil, err
	}
	s.t.Cleanup(func() { _ = ws.CloseNow() })
	return ws, nil
}

// v2 is a daemon's v2 session over a dialed tunnel.
type v2 struct {
	sess *tunnel.Session
	done chan struct{}
}

func (s *stack) runV2(ws *websocket.Conn) *v2 {
	if ws.Subprotocol() != frame.SubprotocolV2 {
		s.t.Fatalf("subprotocol %q, want %q", ws.Subprotocol(), frame.SubprotocolV2)
	}
	v := &v2{sess: tunnel.NewDaemon(tunnel.NewWebSocketConn(ws, frame.V2), tunnel.Options{}), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer close(v.done)
		_ = v.sess.Run(ctx)
	}()
	s.t.Cleanup(func() {
		cancel()
		<-v.done
	})
	return v
}

// closeCode waits until the session ends and returns its close code.
func (v *v2) closeCode(t *testing.T, within time.Duration) frame.CloseCode {
	t.Helper()
	select {
	case <-v.done:
	case <-time.After(within):
		t.Fatalf("the tunnel did not close within %s", within)
	}
	var ce *tunnel.CloseError
	if !errors.As(v.sess.Err(), &ce) {
		t.Fatalf("the session ended with %v", v.sess.Err())
	}
	return ce.Code
}

// waitTunnels waits until the node holds n tunnels.
func (s *stack) waitTunnels(n int) {
	s.t.Helper()
	testenv.Eventually(s.t, patience, func() error {
		if got := s.edge.Stats().Tunnels; got != n {
			return fmt.Errorf("the node holds %d tunnels, want %d", got, n)
		}
		return nil
	})
}

// clientHello is the first flight of a real TLS client for serverName.
func clientHello(t *testing.T, serverName string) []byte {
	t.Helper()
	c := &captureConn{}
	_ = tls.Client(c, &tls.Config{ServerName: serverName}).Handshake() // fails: nothing answers
	if len(c.written) == 0 || c.written[0] != 0x16 {
		t.Fatalf("no ClientHello captured")
	}
	return c.written
}

// captureConn keeps what a TLS client writes and answers nothing.
type captureConn struct {
	net.Conn
	written []byte
}

func (c *captureConn) Write(p []byte) (int, error) {
	c.written = append(c.written, p...)
	return len(p), nil
}
func (c *captureConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (c *captureConn) Close() error                     { return nil }
func (c *captureConn) SetDeadline(time.Time) error      { return nil }
func (c *captureConn) SetReadDeadline(time.Time) error  { return nil }
func (c *captureConn) SetWriteDeadline(time.Time) error { return nil }

// connect opens a client connection to the node's SNI listener for port
// 443 and sends hello.
func (s *stack) connect(hello []byte) net.Conn {
	s.t.Helper()
	c, err := net.DialTimeout("tcp", s.edge.HTTPSAddr, patience)
	must(s.t, err)
	s.t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(patience))
	_, err = c.Write(hello)
	must(s.t, err)
	return c
}

// closeSubscription closes the tenant's subscription as a billing event
// would, with a reason the tenants lifecycle does not follow with
// deprovisioning, so that only the entitlement changes.
func (s *stack) closeSubscription(tenant string) {
	s.t.Helper()
	ctx := s.t.Context()
	ref := events.MustRef(subscription.Type, tenant)
	st, version := subscription.Initial(), events.StreamSeq(0)
	for rec, err := range s.store.Load(ctx, ref, 0) {
		must(s.t, err)
		st, version = subscription.Evolve(st, rec), rec.Seq
	}
	ps, err := subscription.Close{Reason: subscription.ReasonDeregistered}.Decide(st)
	must(s.t, err)
	_, err = s.store.Append(ctx, events.Meta{Actor: "test"}, events.Change{Aggregate: ref, Expect: events.ExpectVersion(version), Events: ps})
	must(s.t, err)
}

type forwardedFor struct {
	ip   string
	next http.RoundTripper
}

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.ip)
	return f.next.RoundTrip(r)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
