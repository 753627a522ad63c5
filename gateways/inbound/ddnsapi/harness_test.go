package ddnsapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/aggregates/dns"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/inbound/ddnsapi"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
	ddnsservice "github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/tenants"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// stack is the ddns API as the service runs it, on real NATS and Postgres,
// beside a real tenants service in the same process: tokens come from its
// signer, and the API verifies them with its JWKS, fetched over HTTP.
type stack struct {
	t       *testing.T
	tenants string // the tenants service's base URL
	ddns    *httptest.Server
	store   *events.Store
	logs    *logBuffer
	db      *testenv.DB // the ddns side's
	creds   *credentials.Reader
	ips     atomic.Int32 // for distinct client addresses at tenants
}

// region is the region the API under test serves; "euc" is another one
// tenants knows.
const region = "local"

func newStack(t *testing.T) *stack { return newStackWithLimits(t, roomy, roomy) }

// roomy limits stay out of the way of tests that do not test them.
var roomy = ratelimit.Limit{Name: "roomy", Max: 1000, Window: time.Minute}

// zone is the zone the ddns side serves.
const zone = "dyn.example.net"

// newStackWithLimits is newStack with these stock-client limits per client
// address and per credential.
func newStackWithLimits(t *testing.T, client, update ratelimit.Limit) *stack {
	t.Helper()
	n := testenv.StartNATS(t)
	s := &stack{t: t, logs: &logBuffer{}}
	s.tenants = startTenants(t, n)

	// The ddns side, wired as services/ddns wires it (without the DNS
	// projector, which these tests do not need), with the update
	// credentials projection.
	ctx := t.Context()
	db := testenv.Postgres(t)
	s.db = db
	s.store = n.Store(t, ddnsservice.Catalog())
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	update.Name += "-update" // the same Limit twice would share its counts
	clientLimit, err := ratelimit.New(ctx, n.JS, client, ratelimit.Options{})
	must(t, err)
	updateLimit, err := ratelimit.New(ctx, n.JS, update, ratelimit.Options{})
	must(t, err)
	s.creds = credentials.NewReader(db.Pool, s.store)
	s.runProjection(db, log)
	cmds, err := ddns.New(ddns.Deps{
		Store: s.store, Pool: db.Pool, Region: region, Logger: log,
		Zone: zone, Credentials: s.creds, ClientLimit: clientLimit, UpdateLimit: updateLimit,
		Passwords: passwords.NewHasher(0),
	})
	must(t, err)
	keys := tokens.NewRemoteKeys(s.tenants+tokens.JWKSPath, tokens.RemoteOptions{Logger: log})
	must(t, keys.Refresh(ctx))
	pv, err := pop.NewVerifier(ctx, n.JS, pop.Options{})
	must(t, err)
	auth := authn.New(tokens.NewVerifier(tokens.AudienceDDNS, keys), pv, authn.Options{Logger: log})
	h, err := ddnsapi.New(ddnsapi.Config{Commands: cmds, Auth: auth, Keys: keys, Logger: log})
	must(t, err)
	// ConnContext as the service installs it: the client address of a
	// loopback peer is its X-Forwarded-For.
	s.ddns = httptest.NewUnstartedServer(h)
	s.ddns.Config.ConnContext = proxyproto.ConnContext
	s.ddns.Start()
	t.Cleanup(s.ddns.Close)
	return s
}

// runProjection runs the update credentials projection until the test
// ends.
func (s *stack) runProjection(db *testenv.DB, log *slog.Logger) {
	t := s.t
	t.Helper()
	p, err := projectors.New(db.Pool, s.store, credentials.New(), projectors.Options{PinnedTTL: 3 * time.Second, Logger: log})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("projector: %v", err)
		}
	})
}

// startTenants runs a tenants service, as wardnet-dev does, until the test
// ends and returns its base URL.
func startTenants(t *testing.T, n *testenv.NATS) string {
	t.Helper()
	cfg := tenants.DefaultConfig()
	cfg.NATSURL = n.URL
	cfg.DatabaseURL = host.DSN(testenv.Postgres(t).URL)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.StreamReplicas = 1
	cfg.KnownRegions = region + ",euc"
	cfg.MailSender = tenants.MailLog
	must(t, tenants.UseDevKeys(&cfg, t.TempDir()))
	cfg.DataKeyPath = dataKey(t)
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := tenants.New(ctx, cfg, tenants.WithServiceOptions(host.WithLogger(slog.New(slog.DiscardHandler))))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("tenants Run: %v", err)
		}
	})
	addr := svc.Addr().String()
	for deadline := time.Now().Add(30 * time.Second); host.Probe(ctx, addr, "/readyz") != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("tenants not ready in time")
		}
	}
	return "http://" + addr
}

// dataKey writes a master data key that never ends in a line break.
// (UseDevKeys writes 32 random bytes, and the key loader trims trailing
// line breaks: a key that ends in one is refused as too short, once in
// about 128 runs.)
func dataKey(t *testing.T) string {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	path := filepath.Join(t.TempDir(), "data.key")
	must(t, os.WriteFile(path, []byte(hex.EncodeToString(key)), 0o600))
	return path
}

// daemon is an enrolled daemon: the agent that drives tenants for it, and
// its key and token for hand-made requests to ddns.
type daemon struct {
	s       *stack
	agent   *agent.Client
	state   string
	tenant  string
	network string // empty until registered
	key     ed25519.PrivateKey

	mu     sync.Mutex
	lastTS int64 // the timestamp of its last signed request
}

// enroll makes a daemon of a new tenant with account email email.
func (s *stack) enroll(email string) *daemon {
	t := s.t
	t.Helper()
	// Each daemon its own client address, so that the code limit per
	// address of tenants does not get in the way.
	n := s.ips.Add(1)
	ip := fmt.Sprintf("198.18.%d.%d", n/250, 1+n%250)
	hc := &http.Client{Transport: forwardedFor{ip: ip, next: http.DefaultTransport}}
	d := &daemon{s: s, state: filepath.Join(t.TempDir(), "state.json")}
	c, err := agent.NewClient(s.tenants, hc, d.state, agent.WithDDNS(s.ddns.URL), agent.WithLogger(slog.New(slog.DiscardHandler)))
	must(t, err)
	d.agent = c
	code, err := c.RequestCode(t.Context(), email)
	must(t, err)
	tenant, err := c.Enroll(t.Context(), code)
	must(t, err)
	d.tenant = string(tenant)
	d.key = readKey(t, d.state)
	return d
}

// register registers a network named slug in reg for the daemon.
func (d *daemon) register(slug, reg string) *daemon {
	t := d.s.t
	t.Helper()
	n, err := d.agent.RegisterNetwork(t.Context(), slug, "", reg)
	must(t, err)
	d.network = string(n.ID)
	return d
}

// token is the daemon's current token: network-scoped once registered.
func (d *daemon) token() string {
	d.s.t.Helper()
	tok, err := d.agent.Token(d.s.t.Context())
	must(d.s.t, err)
	return tok
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

// nextTS is a timestamp for the daemon's next signed request: now, or
// one second after its last one, so that two requests alike in one second
// are not a replay.
func (d *daemon) nextTS() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	ts := max(time.Now().Unix(), d.lastTS+1)
	d.lastTS = ts
	return time.Unix(ts, 0)
}

// request is one hand-made call to the ddns API.
type request struct {
	method, path string
	body         any // nil, []byte, string or a value marshalled as JSON
	bearer       string
	sign         ed25519.PrivateKey
	at           time.Time // the signature's time; zero is now
	header       http.Header
}

// call signs a request as daemon d with its current token.
func (d *daemon) call(method, path string, body any) *reply {
	d.s.t.Helper()
	return d.s.do(request{method: method, path: path, body: body, bearer: d.token(), sign: d.key, at: d.nextTS()})
}

type reply struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request // as sent, for the OpenAPI validator
	resp   *http.Response
}

func (s *stack) do(c request) *reply {
	t := s.t
	t.Helper()
	var body []byte
	switch b := c.body.(type) {
	case nil:
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		var err error
		body, err = json.Marshal(b)
		must(t, err)
	}
	req, err := http.NewRequest(c.method, s.ddns.URL+c.path, bytes.NewReader(body))
	must(t, err)
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.sign != nil {
		at := c.at
		if at.IsZero() {
			at = time.Now()
		}
		pop.SignRequest(req, c.sign, body, at)
	}
	for k, vs := range c.header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	resp, err := s.ddns.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	must(t, err)
	// The validator reads both again.
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp.Body = io.NopCloser(bytes.NewReader(got))
	r := &reply{status: resp.StatusCode, header: resp.Header, body: got, req: req, resp: resp}
	r.conforms(t)
	return r
}

func (r *reply) shown() string { return fmt.Sprintf("%q", r.body) }

// want checks an answer without a body.
func (r *reply) want(t testing.TB, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d %s, want %d", r.req.Method, r.req.URL.Path, r.status, r.shown(), status)
	}
	if status == http.StatusNoContent && len(r.body) != 0 {
		t.Errorf("%s %s: 204 with a body %s", r.req.Method, r.req.URL.Path, r.shown())
	}
}

// wantError checks that r is status with the body {"error": msg} as JSON.
// An empty msg accepts any message.
func (r *reply) wantError(t testing.TB, status int, msg string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d %s, want %d %q", r.req.Method, r.req.URL.Path, r.status, r.shown(), status, msg)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", r.req.Method, r.req.URL.Path, ct)
	}
	var e map[string]any
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("%s %s: error body is not JSON: %s", r.req.Method, r.req.URL.Path, r.shown())
	}
	got, ok := e["error"].(string)
	if !ok || len(e) != 1 {
		t.Fatalf(`%s %s: error body %s, want {"error": string}`, r.req.Method, r.req.URL.Path, r.shown())
	}
	if msg != "" && got != msg {
		t.Errorf("%s %s: error %q, want %q", r.req.Method, r.req.URL.Path, got, msg)
	}
}

// reports lists the events on network id's dns aggregate.
func (s *stack) reports(id string) []events.Payload {
	s.t.Helper()
	var out []events.Payload
	for rec, err := range s.store.Load(s.t.Context(), events.MustRef(dns.Type, id), 0) {
		must(s.t, err)
		out = append(out, rec.Data)
	}
	return out
}

// allReports counts the events of every dns aggregate in the log.
func (s *stack) allReports() map[string][]events.Payload {
	s.t.Helper()
	out := map[string][]events.Payload{}
	for rec, err := range s.store.Read(s.t.Context(), events.Query{Subjects: []string{"wardnet.ev." + dns.Type + ".*"}}) {
		must(s.t, err)
		out[rec.Aggregate.ID()] = append(out[rec.Aggregate.ID()], rec.Data)
	}
	return out
}

// person is a browser of the tenants service: a cookie jar and the user
// token it exchanged.
type person struct {
	s     *stack
	hc    *http.Client
	token string
}

// signUp signs up with a password for email and exchanges the session for
// a user token.
func (s *stack) signUp(email string) *person {
	t := s.t
	t.Helper()
	jar, err := cookiejar.New(nil)
	must(t, err)
	p := &person{s: s, hc: &http.Client{Jar: jar}}
	var c struct{ Code string }
	p.post("/v1/verification-codes", map[string]string{"email": email, "purpose": "signup"}, &c)
	p.post("/v1/auth/password/signup", map[string]string{"email": email, "code": c.Code, "password": "correct horse battery"}, nil)
	var tok struct{ Token string }
	p.post("/v1/auth/token", nil, &tok)
	p.token = tok.Token
	return p
}

func (p *person) post(path string, body, out any) { p.send(http.MethodPost, path, body, out) }

// send calls tenants and fails the test on anything but 2xx.
func (p *person) send(method, path string, body, out any) {
	t := p.s.t
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		must(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.s.tenants+path, rd)
	must(t, err)
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.hc.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(t, err)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		must(t, json.Unmarshal(raw, out))
	}
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

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
