package tenantsapi_test

// The test harness: the whole tenants stack on real parts (in-process NATS,
// a fresh Postgres database, the real commands, projections, process
// manager, token signer, proof-of-possession verifier and cookie sealer)
// behind the API's handler in an httptest server. Every test that talks
// to the API starts one with newStack.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/inbound/tenantsapi"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/sessioncookie"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// region is the only region the stack knows.
const region = "local"

// clock is the stack's clock: the real time plus an offset that tests
// advance (a code's expiry, a token's, a proof's window).
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// logSink keeps every log line the stack writes, so that tests can check
// what is (and is not) logged. A failed test prints it.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Lines decodes the JSON log lines.
func (l *logSink) Lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// stack is a running tenants stack and an API server in front of it.
type stack struct {
	NATS     *testenv.NATS
	DB       *testenv.DB
	Store    *events.Store
	Commands *tenants.App
	Reader   *tenancy.Reader
	Signer   *tokens.Signer
	Cookies  *sessioncookie.Sealer
	Server   *httptest.Server
	Clock    *clock
	Logs     *logSink
	// Passwords is the commands' password hasher, whose count of
	// computations tests read.
	Passwords *passwords.Hasher
	// StopProjections stops the projectors (the tenancy read model and
	// the lifecycle), so that a test sees a read model that falls behind.
	StopProjections func()
}

// newStack starts a stack for one test; it stops when the test ends.
func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{Clock: &clock{}, Logs: &logSink{}}
	log := slog.New(slog.NewJSONHandler(s.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack log:\n%s", s.Logs.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	s.NATS = testenv.StartNATS(t)
	s.DB = testenv.Postgres(t)
	cat := events.NewCatalog()
	tenants.Catalog(cat)
	s.Store = s.NATS.Store(t, cat, events.WithSource("/tenants"))

	keyring, err := datakeys.New(s.DB.Pool, randomBytes(t, datakeys.MinMasterKeyLen), datakeys.Options{Clock: s.Clock.Now, Logger: log})
	must(t, err)
	_, signingKey, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	s.Signer, err = tokens.NewSigner(signingKey)
	must(t, err)
	limiters, err := tenants.NewLimiters(ctx, s.NATS.JS, 1, s.Clock.Now)
	must(t, err)
	s.Passwords = passwords.NewHasher(0)
	s.Commands, err = tenants.New(tenants.Deps{
		Store: s.Store, Pool: s.DB.Pool, Keyring: keyring, Signer: s.Signer,
		// Echoes codes, as in wardnet-dev. It also logs them, by design:
		// to its own log, so the stack's shows what the API logs.
		Mail:     mail.NewDev(slog.New(slog.DiscardHandler)),
		Limiters: limiters, Passwords: s.Passwords,
		Regions: naming.Regions{region}, Now: s.Clock.Now, Logger: log,
	})
	must(t, err)
	s.Reader = tenancy.NewReader(s.DB.Pool, s.Store)
	s.runProjections(t, log, tenancy.New(), tenants.NewLifecycle(s.Commands))

	popVerifier, err := pop.NewVerifier(ctx, s.NATS.JS, pop.Options{Clock: s.Clock.Now})
	must(t, err)
	auth := authn.New(tokens.NewVerifier(tokens.AudienceTenants, s.Signer.Keys()), popVerifier,
		authn.Options{Clock: s.Clock.Now, Logger: log})
	s.Cookies, err = sessioncookie.NewSealer(randomBytes(t, sessioncookie.MinKeyLen))
	must(t, err)
	h, err := tenantsapi.New(tenantsapi.Config{
		Commands: s.Commands,
		Reader:   s.Reader,
		Auth:     auth,
		Cookies:  s.Cookies,
		Keys:     s.Signer.Keys(),
		Logger:   log,
		Now:      s.Clock.Now,
	})
	must(t, err)
	s.Server = httptest.NewUnstartedServer(h)
	s.Server.Config.ConnContext = proxyproto.ConnContext
	s.Server.Start()
	t.Cleanup(s.Server.Close)
	return s
}

// runProjections runs the projectors until the test ends.
func (s *stack) runProjections(t *testing.T, log *slog.Logger, ps ...projectors.Projection) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg    sync.WaitGroup
		ready []func(context.Context) error
	)
	for _, p := range ps {
		proj, err := projectors.New(s.DB.Pool, s.Store, p, projectors.Options{
			Logger: log, LagInterval: time.Second, RetryMin: 10 * time.Millisecond, RetryMax: time.Second,
		})
		must(t, err)
		ready = append(ready, proj.Ready(0))
		wg.Go(func() {
			if err := proj.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("projector %s: %v", p.Name(), err)
			}
		})
	}
	s.StopProjections = func() {
		cancel()
		wg.Wait()
	}
	t.Cleanup(s.StopProjections)
	// Ready: the read model's tables exist (as /readyz waits in the
	// service).
	deadline := time.Now().Add(30 * time.Second)
	for _, r := range ready {
		for err := r(ctx); err != nil; err = r(ctx) {
			if time.Now().After(deadline) {
				t.Fatalf("projections not ready: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	must(t, err)
	return b
}

// newDaemon makes a daemon's key pair.
func newDaemon(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	return k
}

func publicKey(k ed25519.PrivateKey) string {
	return tokens.EncodeKey(k.Public().(ed25519.PublicKey))
}

// daemonToken signs a daemon token for key in tenant, network-scoped when
// network is set, as POST /v1/token would mint it.
func (s *stack) daemonToken(t testing.TB, tenant string, key ed25519.PrivateKey, network string) string {
	t.Helper()
	tok, err := s.Signer.Sign(tokens.DaemonClaims(tenant, key.Public().(ed25519.PublicKey), network, s.Clock.Now()))
	must(t, err)
	return tok
}

// userToken signs a user token for tenant, as POST /v1/auth/token would.
func (s *stack) userToken(t testing.TB, tenant string) string {
	t.Helper()
	tok, err := s.Signer.Sign(tokens.UserClaims(tenant, s.Clock.Now(), 0))
	must(t, err)
	return tok
}

// call is one request to the API.
type call struct {
	method, path string
	// body is sent as is when it is a []byte or a string, as JSON
	// otherwise; nil sends no body.
	body any
	// bearer is the Authorization: Bearer token, if set;
	// rawAuthorization the whole header instead.
	bearer, rawAuthorization string
	// sign, if set, adds a proof of possession with this key at the
	// stack's time.
	sign ed25519.PrivateKey
	// signSkew shifts the proof's timestamp from the stack's time.
	signSkew time.Duration
	cookies  []*http.Cookie
	// clientIP is sent as X-Forwarded-For, which the API honours from
	// loopback peers: it gives each test its own rate-limit key. Unset,
	// each call comes from a client of its own, so that the per-client
	// limits (codes, wrong codes, logins) engage only in the tests that
	// set it.
	clientIP string
	// chunked sends the body without a Content-Length.
	chunked bool
	// header sets these headers last, over the proof's and the
	// Authorization header: an empty list removes the header.
	header http.Header
}

// reply is the API's answer to a call.
type reply struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request // as sent, for the OpenAPI validator
	resp   *http.Response
}

func (s *stack) do(t testing.TB, c call) *reply {
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
	var rd io.Reader = bytes.NewReader(body)
	if c.chunked {
		rd = io.MultiReader(rd) // hides the length from NewRequest
	}
	req, err := http.NewRequest(c.method, s.Server.URL+c.path, rd)
	must(t, err)
	if c.chunked {
		req.ContentLength = -1
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.rawAuthorization != "" {
		req.Header.Set("Authorization", c.rawAuthorization)
	}
	if c.sign != nil {
		pop.SignRequest(req, c.sign, body, s.Clock.Now().Add(c.signSkew))
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	if c.clientIP == "" {
		c.clientIP = newClientIP()
	}
	req.Header.Set("X-Forwarded-For", c.clientIP)
	for k, vs := range c.header {
		if len(vs) == 0 {
			req.Header.Del(k)
		} else {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	resp, err := s.Server.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	must(t, err)
	// The validator reads the request again.
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp.Body = io.NopCloser(bytes.NewReader(got))
	return &reply{status: resp.StatusCode, header: resp.Header, body: got, req: req, resp: resp}
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
		t.Fatalf("%s %s: error body is not JSON: %q", r.req.Method, r.req.URL.Path, r.shown())
	}
	got, ok := e["error"].(string)
	if !ok || len(e) != 1 {
		t.Fatalf(`%s %s: error body %s, want {"error": string}`, r.req.Method, r.req.URL.Path, r.shown())
	}
	if msg != "" && got != msg {
		t.Errorf("%s %s: error %q, want %q", r.req.Method, r.req.URL.Path, got, msg)
	}
}

// wantStatus checks the status only.
func (r *reply) wantStatus(t testing.TB, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d %s, want %d", r.req.Method, r.req.URL.Path, r.status, r.shown(), status)
	}
}

// decode checks the status and decodes the JSON body into v.
func (r *reply) decode(t testing.TB, status int, v any) {
	t.Helper()
	r.wantStatus(t, status)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", r.req.Method, r.req.URL.Path, ct)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s %s: body %s: %v", r.req.Method, r.req.URL.Path, r.shown(), err)
	}
}

// shown is the body for a failure message: an error's body, which holds
// no secret by design, and only the length of any other, which may (a
// token, a code).
func (r *reply) shown() string {
	if r.status >= 400 {
		return string(r.body)
	}
	return fmt.Sprintf("(%d-byte %d body withheld)", len(r.body), r.status)
}

// cookie returns the Set-Cookie of the session cookie, or nil.
func (r *reply) cookie() *http.Cookie {
	for _, c := range r.resp.Cookies() {
		if c.Name == sessioncookie.Name {
			return c
		}
	}
	return nil
}
