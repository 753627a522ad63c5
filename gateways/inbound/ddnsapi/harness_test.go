package ddnsapi_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/endpoint/endpointtest"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
	"github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// stack is the ddns service as production assembles it (services/ddns,
// through servicetest), on real NATS and Postgres and a fake Cloudflare,
// beside a real tenants service in the same process: tokens come from its
// signer, and the API verifies them with its JWKS, fetched over HTTP.
type stack struct {
	t       *testing.T
	tenants string // the tenants service's base URL
	ddns    string // the ddns service's base URL
	store   *events.Store
	logs    *testenv.Logs // the ddns service's
	db      *testenv.DB   // the ddns service's
	creds   *credentials.Reader
	ips     atomic.Int32 // for distinct client addresses at tenants
}

// region is the region the service under test serves; otherRegion is one
// more that tenants knows.
const (
	region      = servicetest.Region
	otherRegion = servicetest.OtherRegion
)

func newStack(t *testing.T) *stack { return newStackWithLimits(t, roomy, roomy) }

// roomy limits stay out of the way of tests that do not test them.
var roomy = ratelimit.Limit{Name: "roomy", Max: 1000, Window: time.Minute}

// zone is the zone the ddns service serves: servicetest.DDNSConfig's,
// "dyn." and the fake Cloudflare's zone.
const zone = "dyn.example.net"

// newStackWithLimits is newStack with these stock-client limits per client
// address and per credential.
func newStackWithLimits(t *testing.T, client, update ratelimit.Limit) *stack {
	t.Helper()
	n := testenv.StartNATS(t)
	tenants := servicetest.StartTenants(t, servicetest.TenantsConfig(t, n, testenv.Postgres(t)))
	token := rand.Text()
	cf := cftest.NewServer(t, token)
	db := testenv.Postgres(t)
	cfg := servicetest.DDNSConfig(t, n, db, cf, token, tenants.URL)
	if cfg.DNSZone != zone {
		t.Fatalf("the service serves %q, the tests expect %q", cfg.DNSZone, zone)
	}
	logs := testenv.NewLogs(t)
	update.Name += "-update" // the same Limit twice would share its counts
	svc := servicetest.StartDDNS(t, cfg, append(servicetest.QuickDDNS(),
		ddns.WithServiceOptions(host.WithLogger(logs.Logger())), ddns.WithStockLimits(client, update))...)
	s := &stack{t: t, tenants: tenants.URL, ddns: svc.URL, logs: logs, db: db, store: n.Store(t, ddns.Catalog())}
	s.creds = credentials.NewReader(db.Pool, s.store)
	return s
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
	c, err := agent.NewClient(s.tenants, hc, d.state, agent.WithDDNS(s.ddns), agent.WithLogger(slog.New(slog.DiscardHandler)))
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
	req, err := http.NewRequest(c.method, s.ddns+c.path, bytes.NewReader(body))
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
	resp, err := http.DefaultClient.Do(req)
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
	endpointtest.Answer{Request: r.req.Method + " " + r.req.URL.Path, Status: r.status, Header: r.header, Body: r.body, Shown: r.shown()}.
		WantError(t, status, msg)
}

// reports lists the events on network id's dns aggregate.
func (s *stack) reports(id string) []events.Payload {
	s.t.Helper()
	var out []events.Payload
	for rec, err := range s.store.Load(s.t.Context(), events.MustRef(report.Type, id), 0) {
		must(s.t, err)
		out = append(out, rec.Data)
	}
	return out
}

// allReports counts the events of every dns aggregate in the log.
func (s *stack) allReports() map[string][]events.Payload {
	s.t.Helper()
	out := map[string][]events.Payload{}
	for rec, err := range s.store.Read(s.t.Context(), events.Query{Subjects: []string{"wardnet.ev." + report.Type + ".*"}}) {
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

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
