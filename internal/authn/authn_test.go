package authn

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// Fixed keys: the seeds of RFC 8032 §7.1 tests 1 (the token signer) and 3
// (the daemon).
const (
	seedSigning = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
	seedDaemon  = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"
	testTenant  = "0b7c6d0e-6f3a-4a55-9a43-8f5a1f2b9c10"
	testNetwork = "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
)

func keyFromSeed(t testing.TB, seedHex string) ed25519.PrivateKey {
	t.Helper()
	seed, err := hex.DecodeString(seedHex)
	if err != nil {
		t.Fatal(err)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// env is a tenants-audience Authenticator over real tokens and a real
// replay cache, and a server with one route per group of §1.4 that echoes
// the caller and the body it sees.
type env struct {
	signer *tokens.Signer
	daemon ed25519.PrivateKey
	auth   *Authenticator
	srv    *httptest.Server
	now    time.Time
}

// seen is what a handler behind Require reports.
type seen struct {
	Caller    Caller
	Body      string // read from r.Body
	ReadBody  string // from ReadBody
	HasCaller bool
}

func newEnv(t *testing.T, keys tokens.KeySource, js jetstream.JetStream) *env {
	t.Helper()
	e := &env{
		signer: mustSigner(t),
		daemon: keyFromSeed(t, seedDaemon),
		now:    time.Now().Truncate(time.Second),
	}
	if keys == nil {
		keys = e.signer.Keys()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pv, err := pop.NewVerifier(ctx, js, pop.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.auth = New(tokens.NewVerifier(tokens.AudienceTenants, keys), pv, Options{Logger: quiet()})

	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s seen
		s.Caller, s.HasCaller = FromContext(r.Context())
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("handler: read body: %v", err)
		}
		s.Body = string(b)
		rb, err := ReadBody(r)
		if err != nil {
			t.Errorf("handler: ReadBody: %v", err)
		}
		s.ReadBody = string(rb)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	})
	mux := http.NewServeMux()
	mux.Handle("/v1/availability", e.auth.Require(tokens.PrincipalDaemon, tokens.PrincipalUser)(echo))
	mux.Handle("/v1/networks", e.auth.Require(tokens.PrincipalDaemon)(echo))
	mux.Handle("/v1/tenants/", e.auth.Require(tokens.PrincipalUser)(echo))
	mux.Handle("/v1/nobody", e.auth.Require()(echo))
	mux.HandleFunc("POST /v1/token", func(w http.ResponseWriter, r *http.Request) {
		body, err := ReadBody(r)
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, err.Error())
			return
		}
		var req struct {
			PublicKey string `json:"public_key"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "bad JSON")
			return
		}
		key, err := tokens.DecodeKey(req.PublicKey)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid public key")
			return
		}
		switch err := e.auth.VerifyTokenRequest(r.Context(), r, key, body); err {
		case nil:
			w.WriteHeader(http.StatusOK)
		case pop.ErrTimestamp, pop.ErrSignature, pop.ErrReplayed:
			writeError(w, http.StatusUnauthorized, err.Error())
		default:
			writeError(w, http.StatusServiceUnavailable, msgUnavailable)
		}
	})
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func mustSigner(t testing.TB) *tokens.Signer {
	t.Helper()
	s, err := tokens.NewSigner(keyFromSeed(t, seedSigning))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) token(t testing.TB, c tokens.Claims) string {
	t.Helper()
	tok, err := e.signer.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (e *env) daemonToken(t testing.TB, network string) string {
	return e.token(t, tokens.DaemonClaims(testTenant, pub(e.daemon), network, e.now))
}

func (e *env) userToken(t testing.TB) string {
	return e.token(t, tokens.UserClaims(testTenant, e.now, 0))
}

// req builds a request to the test server; sign, if set, signs it with
// the daemon key at e.now.
type req struct {
	method, target string
	body           []byte
	auth           []string // Authorization header values
	sign           bool
	signKey        ed25519.PrivateKey // default: the daemon's
	signAt         time.Time          // default: e.now
	edit           func(r *http.Request)
}

func (e *env) do(t *testing.T, q req) (int, string, http.Header) {
	t.Helper()
	r, err := http.NewRequest(q.method, e.srv.URL+q.target, bytes.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range q.auth {
		r.Header.Add("Authorization", a)
	}
	if q.sign {
		key, at := q.signKey, q.signAt
		if key == nil {
			key = e.daemon
		}
		if at.IsZero() {
			at = e.now
		}
		pop.SignRequest(r, key, q.body, at)
	}
	if q.edit != nil {
		q.edit(r)
	}
	resp, err := e.srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func errorBody(msg string) string {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return string(b)
}

func TestRequireAccepts(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	e := newEnv(t, nil, n.JS)
	body := []byte(`{"slug":"home","region":"local"}`)

	check := func(name string, q req, want Caller, wantBody string) {
		t.Helper()
		status, got, _ := e.do(t, q)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", name, status, got)
		}
		var s seen
		if err := json.Unmarshal([]byte(got), &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !s.HasCaller || s.Caller.Principal != want.Principal || s.Caller.TenantID != want.TenantID ||
			s.Caller.Subject != want.Subject || s.Caller.NetworkID != want.NetworkID || !s.Caller.PublicKey.Equal(want.PublicKey) {
			t.Errorf("%s: caller %+v, want %+v", name, s.Caller, want)
		}
		if s.Body != wantBody || s.ReadBody != wantBody {
			t.Errorf("%s: handler read %q and ReadBody %q, want %q", name, s.Body, s.ReadBody, wantBody)
		}
	}
	daemon := Caller{Principal: tokens.PrincipalDaemon, TenantID: testTenant, Subject: tokens.EncodeKey(pub(e.daemon)), PublicKey: pub(e.daemon)}
	netDaemon := daemon
	netDaemon.NetworkID = testNetwork
	user := Caller{Principal: tokens.PrincipalUser, TenantID: testTenant, Subject: testTenant}

	check("tenant-scoped daemon, POST with body",
		req{method: "POST", target: "/v1/networks", body: body, auth: []string{"Bearer " + e.daemonToken(t, "")}, sign: true}, daemon, string(body))
	check("network-scoped daemon, GET with query",
		req{method: "GET", target: "/v1/availability?slug=home", auth: []string{"Bearer " + e.daemonToken(t, testNetwork)}, sign: true}, netDaemon, "")
	check("user, no proof of possession",
		req{method: "GET", target: "/v1/availability?slug=home", auth: []string{"Bearer " + e.userToken(t)}}, user, "")
	check("user with a body",
		req{method: "PUT", target: "/v1/tenants/" + testTenant, body: body, auth: []string{"Bearer " + e.userToken(t)}}, user, string(body))
	// A body of exactly 1 MiB is accepted.
	big := bytes.Repeat([]byte("a"), MaxBodyBytes)
	check("daemon, 1 MiB body",
		req{method: "POST", target: "/v1/networks", body: big, auth: []string{"Bearer " + e.daemonToken(t, "")}, sign: true}, daemon, string(big))
}

func TestRequireRefuses(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	e := newEnv(t, nil, n.JS)
	other := keyFromSeed(t, "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
	otherSigner, err := tokens.NewSigner(other)
	if err != nil {
		t.Fatal(err)
	}
	daemonTok, userTok := e.daemonToken(t, testNetwork), e.userToken(t)
	bearer := func(tok string) []string { return []string{"Bearer " + tok} }
	body := []byte(`{"slug":"home"}`)
	tooBig := bytes.Repeat([]byte("a"), MaxBodyBytes+1)
	expired := e.token(t, tokens.UserClaims(testTenant, e.now.Add(-time.Hour), time.Minute))
	ddnsOnly := func() string {
		// A token for another service: the tenants verifier refuses it.
		c := tokens.DaemonClaims(testTenant, pub(e.daemon), testNetwork, e.now)
		c.Audience = []tokens.Audience{tokens.AudienceDDNS}
		return e.token(t, c)
	}()
	foreignTok, err := otherSigner.Sign(tokens.UserClaims(testTenant, e.now, 0))
	if err != nil {
		t.Fatal(err)
	}
	replayed := req{method: "POST", target: "/v1/networks", body: body, auth: bearer(daemonTok), sign: true, signAt: e.now.Add(-2 * time.Second)}
	if status, got, _ := e.do(t, replayed); status != http.StatusOK {
		t.Fatalf("first copy of the replayed request: %d %s", status, got)
	}

	for _, tc := range []struct {
		name   string
		q      req
		status int
		msg    string
	}{
		{"body over 1 MiB, before anything else", req{method: "POST", target: "/v1/networks", body: tooBig}, 413, "request body exceeds 1 MiB limit"},
		{"body over 1 MiB, good credentials", req{method: "POST", target: "/v1/networks", body: tooBig, auth: bearer(daemonTok), sign: true}, 413, "request body exceeds 1 MiB limit"},
		{"body over 1 MiB, chunked", req{method: "POST", target: "/v1/networks", body: tooBig, auth: bearer(userTok), edit: func(r *http.Request) {
			r.ContentLength = -1 // unknown length: sent chunked
			r.Body = io.NopCloser(bytes.NewReader(tooBig))
		}}, 413, "request body exceeds 1 MiB limit"},
		{"no Authorization", req{method: "GET", target: "/v1/availability"}, 401, "authentication required"},
		{"lower-case bearer", req{method: "GET", target: "/v1/availability", auth: []string{"bearer " + userTok}}, 401, "authentication required"},
		{"Basic", req{method: "GET", target: "/v1/availability", auth: []string{"Basic dXNlcjpwYXNz"}}, 401, "authentication required"},
		{"Bearer without a space", req{method: "GET", target: "/v1/availability", auth: []string{"Bearer" + userTok}}, 401, "authentication required"},
		{"two Authorization headers", req{method: "GET", target: "/v1/availability", auth: []string{"Bearer " + userTok, "Bearer " + userTok}}, 401, "authentication required"},
		// HTTP drops trailing whitespace: the server sees "Bearer".
		{"empty token", req{method: "GET", target: "/v1/availability", auth: []string{"Bearer "}}, 401, "authentication required"},
		{"blank token", req{method: "GET", target: "/v1/availability", auth: []string{"Bearer  x"}}, 401, "invalid token"},
		{"garbage token", req{method: "GET", target: "/v1/availability", auth: bearer("not.a.jwt")}, 401, "invalid token"},
		{"two spaces", req{method: "GET", target: "/v1/availability", auth: []string{"Bearer  " + userTok}}, 401, "invalid token"},
		{"expired token", req{method: "GET", target: "/v1/availability", auth: bearer(expired)}, 401, "invalid token"},
		{"token for another service", req{method: "GET", target: "/v1/availability", auth: bearer(ddnsOnly), sign: true}, 401, "invalid token"},
		{"token from a foreign signer", req{method: "GET", target: "/v1/availability", auth: bearer(foreignTok)}, 401, "invalid token"},
		{"daemon on a user route", req{method: "GET", target: "/v1/tenants/" + testTenant, auth: bearer(daemonTok), sign: true}, 403, "this endpoint does not accept daemon callers"},
		{"daemon on a user route, unsigned", req{method: "GET", target: "/v1/tenants/" + testTenant, auth: bearer(daemonTok)}, 403, "this endpoint does not accept daemon callers"},
		{"user on a daemon route", req{method: "POST", target: "/v1/networks", body: body, auth: bearer(userTok)}, 403, "this endpoint does not accept user callers"},
		{"user on a route for nobody", req{method: "GET", target: "/v1/nobody", auth: bearer(userTok)}, 403, "this endpoint does not accept user callers"},
		{"daemon without proof", req{method: "POST", target: "/v1/networks", body: body, auth: bearer(daemonTok)}, 401, "missing or invalid X-Wardnet-Timestamp"},
		{"daemon, stale proof", req{method: "POST", target: "/v1/networks", body: body, auth: bearer(daemonTok), sign: true, signAt: e.now.Add(-2 * time.Minute)}, 401, "missing or invalid X-Wardnet-Timestamp"},
		{"daemon, no signature", req{method: "POST", target: "/v1/networks", body: body, auth: bearer(daemonTok), sign: true, edit: func(r *http.Request) {
			r.Header.Del(pop.HeaderSignature)
		}}, 401, "invalid request signature"},
		{"daemon, signed by another key", req{method: "POST", target: "/v1/networks", body: body, auth: bearer(daemonTok), sign: true, signKey: other}, 401, "invalid request signature"},
		{"daemon, body changed after signing", req{method: "POST", target: "/v1/networks", body: body, auth: bearer(daemonTok), sign: true, edit: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"slug":"evil"}`))
		}}, 401, "invalid request signature"},
		{"daemon, replayed", replayed, 401, "replayed request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, got, h := e.do(t, tc.q)
			if status != tc.status || got != errorBody(tc.msg) || h.Get("Content-Type") != "application/json" {
				t.Fatalf("got %d %q %s, want %d %s", status, h.Get("Content-Type"), got, tc.status, errorBody(tc.msg))
			}
		})
	}
}

// When a dependency fails the answer is 503, not 401: the credential may
// be good.
func TestRequireDependencyFailures(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)

	t.Run("verifying keys unavailable", func(t *testing.T) {
		t.Parallel()
		gone := httptest.NewServer(http.NotFoundHandler())
		gone.Close()
		remote := tokens.NewRemoteKeys(gone.URL, tokens.RemoteOptions{Logger: quiet()})
		e := newEnv(t, remote, n.JS)
		status, got, _ := e.do(t, req{method: "GET", target: "/v1/availability", auth: []string{"Bearer " + e.userToken(t)}})
		if status != http.StatusServiceUnavailable || got != errorBody(msgUnavailable) {
			t.Fatalf("got %d %s", status, got)
		}
	})
	t.Run("replay cache unavailable", func(t *testing.T) {
		t.Parallel()
		nc, err := nats.Connect(n.URL)
		if err != nil {
			t.Fatal(err)
		}
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, nil, js)
		nc.Close()
		status, got, _ := e.do(t, req{method: "GET", target: "/v1/availability", auth: []string{"Bearer " + e.daemonToken(t, "")}, sign: true})
		if status != http.StatusServiceUnavailable || got != errorBody(msgUnavailable) {
			t.Fatalf("got %d %s", status, got)
		}
		// Users need no replay cache.
		if status, got, _ := e.do(t, req{method: "GET", target: "/v1/availability", auth: []string{"Bearer " + e.userToken(t)}}); status != http.StatusOK {
			t.Fatalf("user: %d %s", status, got)
		}
	})
}

func TestVerifyTokenRequest(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	e := newEnv(t, nil, n.JS)
	other := keyFromSeed(t, seedSigning)
	body := func(k ed25519.PrivateKey) []byte { return []byte(`{"public_key":"` + tokens.EncodeKey(pub(k)) + `"}`) }

	good := req{method: "POST", target: "/v1/token", body: body(e.daemon), sign: true}
	for _, tc := range []struct {
		name   string
		q      req
		status int
		msg    string
	}{
		{"good", good, 200, ""},
		{"replayed", good, 401, "replayed request"},
		{"the same key's next request", req{method: "POST", target: "/v1/token", body: body(e.daemon), sign: true, signAt: e.now.Add(time.Second)}, 200, ""},
		{"signed by another key than the body's", req{method: "POST", target: "/v1/token", body: body(e.daemon), sign: true, signKey: other}, 401, "invalid request signature"},
		{"unsigned", req{method: "POST", target: "/v1/token", body: body(e.daemon)}, 401, "missing or invalid X-Wardnet-Timestamp"},
		{"stale", req{method: "POST", target: "/v1/token", body: body(e.daemon), sign: true, signAt: e.now.Add(-61 * time.Second)}, 401, "missing or invalid X-Wardnet-Timestamp"},
		// A bearer token changes nothing: the credential is the key.
		{"with a bearer token", req{method: "POST", target: "/v1/token", body: body(other), sign: true, signKey: other, auth: []string{"Bearer " + e.userToken(t)}}, 200, ""},
	} {
		status, got, _ := e.do(t, tc.q)
		want := ""
		if tc.msg != "" {
			want = errorBody(tc.msg)
		}
		if status != tc.status || got != want {
			t.Errorf("%s: got %d %s, want %d %s", tc.name, status, got, tc.status, want)
		}
	}

	// The replay subject is the key in the body: an authenticated request
	// of the same daemon, same second, same body and path, is not its
	// replay, but a /v1/token replay under the key is.
	ctx := context.Background()
	r := httptest.NewRequest("POST", "/v1/token", nil)
	b := body(e.daemon)
	pop.SignRequest(r, e.daemon, b, e.now.Add(5*time.Second))
	if err := e.auth.VerifyTokenRequest(ctx, r, pub(e.daemon), b); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.VerifyTokenRequest(ctx, r, pub(e.daemon), b); err != pop.ErrReplayed {
		t.Fatalf("replay: %v", err)
	}
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/", strings.NewReader("hello"))
	for i := range 2 {
		b, err := ReadBody(r)
		if err != nil || string(b) != "hello" {
			t.Fatalf("read %d: %q %v", i, b, err)
		}
	}
	if b, _ := io.ReadAll(r.Body); string(b) != "hello" {
		t.Fatalf("r.Body after ReadBody: %q", b)
	}
	if b, err := ReadBody(r); err != nil || string(b) != "hello" {
		t.Fatalf("ReadBody after the handler drained r.Body: %q %v", b, err)
	}

	empty := httptest.NewRequest("GET", "/", nil)
	if b, err := ReadBody(empty); err != nil || b == nil || len(b) != 0 {
		t.Fatalf("no body: %q %v", b, err)
	}

	big := httptest.NewRequest("POST", "/", bytes.NewReader(make([]byte, MaxBodyBytes+1)))
	if _, err := ReadBody(big); err != ErrBodyTooLarge {
		t.Fatalf("declared too large: %v", err)
	}
	big.ContentLength = -1
	if _, err := ReadBody(big); err != ErrBodyTooLarge {
		t.Fatalf("too large, unknown length: %v", err)
	}
}

func TestFromContext(t *testing.T) {
	t.Parallel()
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("caller in an empty context")
	}
	c := Caller{Principal: tokens.PrincipalUser, TenantID: testTenant, Subject: testTenant}
	got, ok := FromContext(NewContext(context.Background(), c))
	if !ok || got.TenantID != testTenant || !got.IsUser() || got.IsDaemon() {
		t.Fatalf("got %+v %v", got, ok)
	}
}

// Refusals are logged without the token, the signature or the body.
func TestRefusalLogsNoSecrets(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	e := newEnv(t, nil, n.JS)
	var logs bytes.Buffer
	pv, err := pop.NewVerifier(context.Background(), n.JS, pop.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := New(tokens.NewVerifier(tokens.AudienceDDNS, e.signer.Keys()), pv,
		Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	h := a.Require(tokens.PrincipalDaemon)(http.NotFoundHandler())

	tenantScoped := e.daemonToken(t, "") // not for ddns
	body := `{"secret":"hunter2"}`
	for _, tok := range []string{tenantScoped, e.userToken(t), e.daemonToken(t, testNetwork)} {
		r := httptest.NewRequest("POST", "/v1/ip", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok)
		pop.SignRequest(r, e.daemon, []byte(`{}`), e.now) // signs another body: refused
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code == http.StatusNotFound {
			t.Fatal("handler reached")
		}
		sig := r.Header.Get(pop.HeaderSignature)
		for _, secret := range []string{tok, strings.Split(tok, ".")[2], sig, "hunter2"} {
			if strings.Contains(logs.String(), secret) {
				t.Fatalf("log holds a secret:\n%s", logs.String())
			}
		}
	}
	if !strings.Contains(logs.String(), "authentication refused") {
		t.Fatalf("refusals not logged:\n%s", logs.String())
	}
}
