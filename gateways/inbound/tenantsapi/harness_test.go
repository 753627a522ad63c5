package tenantsapi_test

// The test harness: the tenants service as production assembles it
// (services/tenants.New, through servicetest) on real parts: in-process
// NATS and a fresh Postgres database. Every test that talks to the API
// starts one with newStack.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
	"github.com/wardnet/wardnet-cloud/internal/endpoint/endpointtest"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/sessioncookie"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	service "github.com/wardnet/wardnet-cloud/services/tenants"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// region is the region of the networks the tests register.
const region = servicetest.Region

// stack is a running tenants service, assembled as production assembles
// it, and what the tests reach behind its API.
type stack struct {
	NATS  *testenv.NATS
	DB    *testenv.DB
	Store *events.Store
	// URL is the API's base URL.
	URL      string
	Commands tenants.Commands
	Reader   *tenancy.Reader
	Signer   *tokens.Signer
	// Cookies seals session cookies with the service's cookie key.
	Cookies *sessioncookie.Sealer
	// Clock is the service's clock: the real time plus what tests
	// advance (a code's expiry, a token's, a proof's window).
	Clock *testenv.Clock
	Logs  *testenv.Logs
	// Passwords is the service's password hasher, whose count of
	// computations tests read.
	Passwords *passwords.Hasher
	client    *http.Client
}

// newStack starts a stack for one test; it stops when the test ends.
func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{NATS: testenv.StartNATS(t), DB: testenv.Postgres(t), Clock: testenv.NewClock(), Logs: testenv.NewLogs(t)}
	cfg := servicetest.TenantsConfig(t, s.NATS, s.DB)
	// The API on a listener of its own, as in production (without the
	// PROXY header, which the tests do not send).
	cfg.APIAddr, cfg.APIProxyProtocol = "127.0.0.1:0", "off"
	svc := servicetest.StartTenants(t, cfg,
		service.WithServiceOptions(host.WithLogger(s.Logs.Logger())),
		service.WithClock(s.Clock.Now),
		// Echoes codes, as in wardnet-dev. It also logs them, by design:
		// to its own log, so the stack's shows what the API logs.
		service.WithMailSender(mail.NewDev(slog.New(slog.DiscardHandler))),
		service.WithProjectorOptions(projectors.Options{LagInterval: time.Second, RetryMin: 10 * time.Millisecond, RetryMax: time.Second}),
	)
	s.URL, s.Commands, s.Signer, s.Passwords = svc.URL, svc.Commands(), svc.Signer(), svc.Passwords()
	s.Store = s.NATS.Store(t, service.Catalog())
	s.Reader = tenancy.NewReader(s.DB.Pool, s.Store)
	key, err := sessioncookie.LoadKey(cfg.CookieKeyPath)
	must(t, err)
	s.Cookies, err = sessioncookie.NewSealer(key)
	must(t, err)
	s.client = &http.Client{Timeout: time.Minute}
	return s
}

// holdReadModel keeps the tenancy read model where it is until the test
// ends, while the service keeps serving: the read model falls behind the
// log.
func (s *stack) holdReadModel(t *testing.T) {
	t.Helper()
	servicetest.HoldProjection(t, s.DB, tenancy.New().Name())
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
	req, err := http.NewRequest(c.method, s.URL+c.path, rd)
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
	resp, err := s.client.Do(req)
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
	endpointtest.Answer{Request: r.req.Method + " " + r.req.URL.Path, Status: r.status, Header: r.header, Body: r.body, Shown: r.shown()}.
		WantError(t, status, msg)
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
