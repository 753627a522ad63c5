package tenants_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/agent"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	app "github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tenants"
)

// e2e is a tenants service on its own NATS and database, as wardnet-dev
// runs it (servicetest.TenantsConfig): codes echoed by the API, no PROXY
// header.
type e2e struct {
	t    *testing.T
	logs *testenv.Logs
	nats *testenv.NATS
	db   *testenv.DB
	cfg  tenants.Config
	svc  *tenants.Service
	base string
}

func startE2E(t *testing.T) *e2e {
	t.Helper()
	e := &e2e{t: t, logs: testenv.NewLogs(t), nats: testenv.StartNATS(t), db: testenv.Postgres(t)}
	first := e.start(servicetest.TenantsConfig(t, e.nats, e.db))
	e.cfg, e.svc, e.base = first.Config, first.Service, first.URL
	return e
}

// start runs a tenants replica on cfg, logging into e.logs, until the test
// ends.
func (e *e2e) start(cfg tenants.Config) *servicetest.Tenants {
	e.t.Helper()
	return servicetest.StartTenants(e.t, cfg, tenants.WithServiceOptions(host.WithLogger(e.logs.Logger())))
}

// replica starts a second replica of the service, on the same NATS,
// database and keys, and returns its base URL.
func (e *e2e) replica() string {
	e.t.Helper()
	return e.start(e.cfg).URL
}

func (e *e2e) agent(name string) *agent.Client {
	return e.agentAt(name, "")
}

// agentAt is a daemon whose requests come from client address ip (sent as
// X-Forwarded-For, which the service honours from loopback only), so that
// many daemons are not one address to the rate limits.
func (e *e2e) agentAt(name, ip string) *agent.Client {
	e.t.Helper()
	hc := http.DefaultClient
	if ip != "" {
		hc = &http.Client{Transport: forwardedFor{ip: ip, next: http.DefaultTransport}}
	}
	c, err := agent.NewClient(e.base, hc, filepath.Join(e.t.TempDir(), name, "state.json"))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
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

// person is a browser: a cookie jar and the user JWT it exchanged last.
type person struct {
	e     *e2e
	hc    *http.Client
	token string
}

func (e *e2e) person() *person {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &person{e: e, hc: &http.Client{Jar: jar}}
}

// call sends a JSON request and decodes a JSON answer into out (when
// non-nil). It returns the status and, for errors, the error message.
func (p *person) call(method, path string, body, out any) (int, string) {
	p.e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			p.e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.e.base+path, rd)
	if err != nil {
		p.e.t.Fatal(err)
	}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		p.e.t.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(raw, &eb); err != nil {
			p.e.t.Fatalf("%s %s: %d with a body that is not {\"error\"}: %q", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode, eb.Error
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			p.e.t.Fatalf("%s %s: %v in %q", method, path, err, raw)
		}
	}
	return resp.StatusCode, ""
}

func (p *person) mustCall(want int, method, path string, body, out any) {
	p.e.t.Helper()
	if got, msg := p.call(method, path, body, out); got != want {
		p.e.t.Fatalf("%s %s = %d %q, want %d", method, path, got, msg, want)
	}
}

// signUp requests a signup code for email, signs up with a password and
// exchanges the session cookie for a user JWT.
func (p *person) signUp(email, password string) {
	p.e.t.Helper()
	var c struct{ Code *string }
	p.mustCall(200, "POST", "/v1/verification-codes", map[string]string{"email": email, "purpose": "signup"}, &c)
	if c.Code == nil {
		p.e.t.Fatal("the development sender did not echo the code")
	}
	p.mustCall(204, "POST", "/v1/auth/password/signup", map[string]string{"email": email, "code": *c.Code, "password": password}, nil)
	p.exchange()
}

func (p *person) exchange() {
	p.e.t.Helper()
	var tok struct{ Token string }
	p.mustCall(200, "POST", "/v1/auth/token", nil, &tok)
	p.token = tok.Token
}

func apiStatus(err error) int {
	var ae *agent.APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// The whole life of a tenant through real HTTP: a daemon enrolls and
// registers a network, its owner signs up with a password and sees them,
// deregisters, every growth path refuses, and once the DNS side has
// removed the network the sweep removes the tenant and shreds its data.
func TestEndToEndTenantLifecycle(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const email = "Alice@Example.com"

	// The daemon: code → enroll → tenant-scoped token → availability →
	// register → network-scoped token.
	daemon := e.agent("daemon")
	enrollment, err := daemon.RequestCode(ctx, email)
	if err != nil || len(enrollment) != code.Len {
		t.Fatalf("request code = %q, %v", enrollment, err)
	}
	tenantID, err := daemon.Enroll(ctx, enrollment)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.agent("again").Enroll(ctx, enrollment); apiStatus(err) != 401 {
		t.Fatalf("enroll with a used code: %v, want 401", err)
	}
	tok, err := daemon.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(aud tokens.Audience, token string) (tokens.Claims, error) {
		return tokens.NewVerifier(aud, e.svc.Signer().Keys()).Verify(ctx, token, time.Now())
	}
	claims, err := verify(tokens.AudienceTenants, tok)
	if err != nil || claims.TenantID != string(tenantID) || claims.Network != "" {
		t.Fatalf("tenant-scoped token: %+v, %v", claims, err)
	}
	if _, err := verify(tokens.AudienceDDNS, tok); err == nil {
		t.Fatal("a tenant-scoped token reaches ddns")
	}
	if ok, err := daemon.Availability(ctx, "alices-lab"); err != nil || !ok {
		t.Fatalf("availability = %v, %v", ok, err)
	}
	netw, err := daemon.RegisterNetwork(ctx, "alices-lab", "Alice's lab", "local")
	if err != nil {
		t.Fatal(err)
	}
	if netw.ProvisioningState != "provisioning" || netw.Region != "local" || netw.TenantID != tenantID {
		t.Fatalf("registered %+v", netw)
	}
	if ok, err := daemon.Availability(ctx, "alices-lab"); err != nil || ok {
		t.Fatalf("availability after registration = %v, %v", ok, err)
	}
	tok, err = daemon.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, aud := range []tokens.Audience{tokens.AudienceTenants, tokens.AudienceDDNS, tokens.AudienceTunneller} {
		claims, err := verify(aud, tok)
		if err != nil || claims.Network != string(netw.ID) {
			t.Fatalf("network-scoped token for %s: %+v, %v", aud, claims, err)
		}
	}

	// The owner signs up with a password for the same email and sees the
	// network and the daemon.
	alice := e.person()
	alice.signUp("alice@example.com", "correct horse battery")
	var me struct {
		TenantID     string `json:"tenant_id"`
		Email        string `json:"email"`
		Subscription *struct {
			Status string `json:"status"`
		} `json:"subscription"`
	}
	alice.mustCall(200, "GET", "/v1/me", nil, &me)
	if me.TenantID != string(tenantID) || me.Email != "alice@example.com" || me.Subscription == nil || me.Subscription.Status != "trialing" {
		t.Fatalf("/v1/me = %+v", me)
	}
	var nets []agent.Network
	alice.mustCall(200, "GET", "/v1/tenants/"+me.TenantID+"/networks", nil, &nets)
	if len(nets) != 1 || nets[0].ID != netw.ID || *nets[0].DisplayName != "Alice's lab" {
		t.Fatalf("networks = %+v", nets)
	}
	var daemons []struct {
		ID, NetworkID, PublicKey string
	}
	alice.mustCall(200, "GET", "/v1/tenants/"+me.TenantID+"/daemons", nil, &daemons)
	var byNetwork []json.RawMessage
	alice.mustCall(200, "GET", "/v1/networks/"+string(netw.ID)+"/daemons", nil, &byNetwork)
	if len(daemons) != 1 || len(byNetwork) != 1 {
		t.Fatalf("daemons = %+v, of the network %s", daemons, byNetwork)
	}

	// Deregistration: immediate for every growth path.
	alice.mustCall(202, "DELETE", "/v1/tenants/"+me.TenantID, nil, nil)
	alice.mustCall(202, "DELETE", "/v1/tenants/"+me.TenantID, nil, nil) // idempotent
	daemon.ForgetToken()
	if _, err := daemon.Token(ctx); apiStatus(err) != 403 || !daemon.Suspended() {
		t.Fatalf("token mint after deregistration: %v, want 403", err)
	}
	if got, msg := alice.call("POST", "/v1/tenants/"+me.TenantID+"/codes", nil, nil); got != 403 {
		t.Fatalf("add-daemon code after deregistration = %d %q, want 403", got, msg)
	}
	if got, _ := alice.call("POST", "/v1/auth/token", nil, nil); got != 401 {
		t.Fatalf("session exchange after deregistration = %d, want 401", got)
	}
	if got, _ := alice.call("POST", "/v1/auth/password/login", map[string]string{"email": email, "password": "correct horse battery"}, nil); got != 401 {
		t.Fatalf("login after deregistration = %d, want 401", got)
	}
	// The network is on its way out; its slug is still held.
	testenv.Eventually(t, 30*time.Second, func() error {
		var nets []agent.Network
		alice.mustCall(200, "GET", "/v1/tenants/"+me.TenantID+"/networks", nil, &nets)
		if len(nets) != 1 || nets[0].ProvisioningState != "deprovisioning" {
			return fmt.Errorf("networks %+v, want the one deprovisioning", nets)
		}
		return nil
	})
	if ok, err := e.agent("other").Availability(ctx, "alices-lab"); err == nil && ok {
		t.Fatal("a deprovisioning network's slug is available")
	}

	// The DNS side removes the records and marks the network
	// deprovisioned; the lifecycle then releases the slug and the daemon
	// and the sweep removes the tenant.
	netwID, err := ids.Parse[ids.NetworkID](string(netw.ID))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Commands().MarkNetworkDeprovisioned(ctx, app.MarkNetworkDeprovisioned{Meta: events.Meta{Actor: "test:dns"}, NetworkID: netwID}); err != nil {
		t.Fatal(err)
	}
	store := events.NewStore(e.nats.JS, tenants.Catalog())
	testenv.Eventually(t, 30*time.Second, func() error {
		for rec, err := range store.Load(ctx, events.MustRef(tenant.Type, string(tenantID)), 0) {
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := rec.Data.(tenant.Swept); ok {
				return nil
			}
		}
		return errors.New("the tenant is not swept")
	})
	testenv.Eventually(t, 30*time.Second, func() error {
		if got, msg := alice.call("GET", "/v1/me", nil, nil); got != 404 {
			return fmt.Errorf("/v1/me = %d %q, want 404 once the tenant is gone from the read model", got, msg)
		}
		return nil
	})
	if ok, err := e.agent("late").Availability(ctx, "alices-lab"); err == nil && !ok {
		t.Fatal("the slug of a swept tenant's network is still held")
	}

	// Every event the lifecycle acted on, delivered again (as after a
	// crash between its commands and its checkpoint), decides nothing new.
	last, err := store.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lifecycle := app.NewLifecycle(e.svc.Commands())
	redelivered := 0
	for rec, err := range store.Read(ctx, events.Query{Subjects: lifecycle.Subjects()}) {
		if err != nil {
			t.Fatal(err)
		}
		if err := lifecycle.Apply(ctx, nil, rec); err != nil {
			t.Fatalf("redelivered %s at %d: %v", rec.Type, rec.Seq, err)
		}
		redelivered++
	}
	if again, err := store.LastSeq(ctx); err != nil || again != last {
		t.Fatalf("redelivering %d events appended %d more (%v)", redelivered, again-last, err)
	}

	// Nothing secret reached the logs: not the password, the tokens, the
	// session cookie or the email in clear. (The development mail sender
	// logs codes by design; production's does not.)
	var cookies []string
	for _, c := range alice.hc.Jar.Cookies(mustURL(t, e.base)) {
		cookies = append(cookies, c.Value)
	}
	e.mustNotLog(append(cookies, "correct horse battery", tok, alice.token, "alice@example.com")...)

	// Crypto-shredding: once the janitor has destroyed the keys of the
	// day, a replay of the log shows no email and nothing can open one.
	keyring, err := datakeys.NewFromFile(e.db.Pool, e.cfg.DataKeyPath, datakeys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.DestroyDayKeysBefore(ctx, time.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	sealed := 0
	for rec, err := range store.Read(ctx, events.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(rec.Data)
		if bytes.Contains(bytes.ToLower(raw), []byte("alice@example.com")) {
			t.Fatalf("the log holds the email in clear: %s %s", rec.Type, raw)
		}
		var s string
		switch d := rec.Data.(type) {
		case tenant.Created:
			s = string(d.Email)
		case code.Issued:
			s = string(d.Email)
		default:
			continue
		}
		sealed++
		if _, err := keyring.Open(ctx, s); !errors.Is(err, datakeys.ErrShredded) {
			t.Fatalf("%s at %d: opening its email: %v, want ErrShredded", rec.Type, rec.Seq, err)
		}
	}
	if sealed < 3 {
		t.Fatalf("found %d sealed emails in the log, want the tenant's and its codes'", sealed)
	}
}

// Fifty daemons of fifty tenants register the same slug at once: exactly
// one wins, the others get 409, and the log holds one claim.
func TestConcurrentRegistrationsOfOneSlug(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 50
	daemons := make([]*agent.Client, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range daemons {
		wg.Go(func() {
			d := e.agentAt(fmt.Sprintf("d%d", i), fmt.Sprintf("198.51.100.%d", i+1))
			c, err := d.RequestCode(ctx, fmt.Sprintf("owner-%d@example.com", i))
			if err == nil {
				_, err = d.Enroll(ctx, c)
			}
			if err == nil {
				_, err = d.Token(ctx)
			}
			daemons[i], errs[i] = d, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	statuses := make([]int, n)
	start := make(chan struct{})
	for i, d := range daemons {
		wg.Go(func() {
			<-start
			_, err := d.RegisterNetwork(ctx, "contested", "", "local")
			switch {
			case err == nil:
				statuses[i] = 200
			default:
				statuses[i] = apiStatus(err)
				if statuses[i] == 0 {
					errs[i] = err
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 409:
			conflict++
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Fatalf("statuses: %d × 200, %d × 409, all %v", ok, conflict, statuses)
	}
	store := events.NewStore(e.nats.JS, tenants.Catalog())
	claims := 0
	for _, err := range store.Read(ctx, events.Query{Subjects: []string{"wardnet.ev.slug.contested"}, Types: []string{"wardnet.reservation.claimed"}}) {
		if err != nil {
			t.Fatal(err)
		}
		claims++
	}
	if claims != 1 {
		t.Fatalf("the log holds %d claims of the slug, want 1", claims)
	}
}

// The public code limit (10 per IP per hour) holds across two replicas
// sharing one NATS: the eleventh request from one address is refused by
// whichever replica gets it, and another address is not affected.
func TestCodeRateLimitAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	second := e.replica()
	ask := func(base, ip string) (int, string) {
		body := strings.NewReader(`{"email":"someone@example.com","purpose":"enrollment"}`)
		req, _ := http.NewRequest("POST", base+"/v1/verification-codes", body)
		req.Header.Set("X-Forwarded-For", ip) // honoured from loopback only, as in development
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After") + " " + string(raw)
	}
	replicas := []string{e.base, second}
	for i := range 10 {
		if got, body := ask(replicas[i%2], "203.0.113.7"); got != 200 {
			t.Fatalf("request %d = %d %s", i+1, got, body)
		}
	}
	for _, base := range replicas {
		got, body := ask(base, "203.0.113.7")
		if got != 429 || !strings.Contains(body, "too many") || strings.HasPrefix(body, " ") {
			t.Fatalf("eleventh request at %s = %d %q, want 429 with Retry-After", base, got, body)
		}
	}
	if got, body := ask(second, "198.51.100.9"); got != 200 {
		t.Fatalf("another address = %d %s", got, body)
	}
}

// mustNotLog fails when the logs hold any of the secrets.
func (e *e2e) mustNotLog(secrets ...string) {
	e.t.Helper()
	logs := e.logs.String()
	if len(logs) == 0 {
		e.t.Fatal("no logs collected")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(strings.ToLower(logs), strings.ToLower(s)) {
			e.t.Errorf("the logs hold a secret (%d bytes, starting %.4q)", len(s), s)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Sessions are events: signing out everywhere on one replica ends the
// session a browser holds on another at once, and a password reset ends
// every session and replaces the password.
func TestSessionsAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	second := e.replica()

	bob := e.person()
	bob.signUp("bob@example.com", "first password")
	laptop := e.person() // another browser, logged in on the second replica
	laptop.e = &e2e{t: t, base: second}
	laptop.mustCall(204, "POST", "/v1/auth/password/login", map[string]string{"email": "BOB@example.com", "password": "first password"}, nil)
	laptop.exchange()

	bob.mustCall(204, "DELETE", "/v1/me/sessions", nil, nil)
	if got, _ := laptop.call("POST", "/v1/auth/token", nil, nil); got != 401 {
		t.Fatalf("exchange on the other replica after sign-out everywhere = %d, want 401", got)
	}
	laptop.mustCall(204, "POST", "/v1/auth/password/login", map[string]string{"email": "bob@example.com", "password": "first password"}, nil)
	laptop.mustCall(204, "POST", "/v1/auth/logout", nil, nil)
	if got, _ := laptop.call("POST", "/v1/auth/token", nil, nil); got != 401 {
		t.Fatalf("exchange after logout = %d, want 401", got)
	}
	laptop.mustCall(204, "POST", "/v1/auth/logout", nil, nil) // idempotent

	// Reset: the code answers like any other for an unknown email.
	var c struct{ Code *string }
	bob.mustCall(200, "POST", "/v1/verification-codes", map[string]string{"email": "bob@example.com", "purpose": "password_reset"}, &c)
	bob.mustCall(204, "POST", "/v1/auth/password/login", map[string]string{"email": "bob@example.com", "password": "first password"}, nil)
	bob.mustCall(204, "POST", "/v1/auth/password/reset", map[string]string{"code": *c.Code, "password": "second password"}, nil)
	if got, _ := bob.call("POST", "/v1/auth/token", nil, nil); got != 401 {
		t.Fatalf("exchange after a reset = %d, want 401", got)
	}
	if got, _ := bob.call("POST", "/v1/auth/password/login", map[string]string{"email": "bob@example.com", "password": "first password"}, nil); got != 401 {
		t.Fatalf("login with the old password = %d, want 401", got)
	}
	bob.mustCall(204, "POST", "/v1/auth/password/login", map[string]string{"email": "bob@example.com", "password": "second password"}, nil)
	bob.exchange()
	bob.mustCall(200, "POST", "/v1/verification-codes", map[string]string{"email": "nobody@example.com", "purpose": "password_reset"}, &c)
	bob.mustCall(204, "POST", "/v1/auth/password/reset", map[string]string{"code": *c.Code, "password": "whatever it is"}, nil)
	e.mustNotLog("first password", "second password", bob.token)
}

// Password logins are throttled per client address across replicas: ten
// attempts in five minutes, right or wrong, then 429 on either replica.
func TestLoginThrottleAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	second := e.replica()
	carol := e.person()
	carol.signUp("carol@example.com", "carol's password")
	login := func(base, password string) int {
		body := strings.NewReader(`{"email":"carol@example.com","password":"` + password + `"}`)
		req, _ := http.NewRequest("POST", base+"/v1/auth/password/login", body)
		req.Header.Set("X-Forwarded-For", "192.0.2.44")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	replicas := []string{e.base, second}
	for i := range 10 {
		want := 401
		if i == 9 {
			want = 204
		}
		pw := map[bool]string{true: "carol's password", false: "guess"}[want == 204]
		if got := login(replicas[i%2], pw); got != want {
			t.Fatalf("attempt %d = %d, want %d", i+1, got, want)
		}
	}
	for _, base := range replicas {
		if got := login(base, "carol's password"); got != 429 {
			t.Fatalf("attempt 11 at %s = %d, want 429", base, got)
		}
	}
}

// Rotating the signing key: a replica that signs with a new key and keeps
// the old one as a verifying key accepts tokens the old key signed,
// publishes both in its JWKS, and mints with the new kid.
func TestSigningKeyRotation(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// A daemon enrolls and gets a token signed with the current key.
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key := tokens.EncodeKey(pub)
	var c struct{ Code string }
	signed(t, e.base, "POST", "/v1/verification-codes", nil, "", map[string]string{"email": "dana@example.com", "purpose": "enrollment"}, 200, &c)
	signed(t, e.base, "POST", "/v1/enroll", nil, "", map[string]string{"code": c.Code, "public_key": key}, 200, nil)
	var tok struct{ Token string }
	signed(t, e.base, "POST", "/v1/token", priv, "", map[string]string{"public_key": key}, 200, &tok)

	// The next deploy: a new signing key, the old public key kept.
	rotated := e.cfg
	next, err := tokens.GenerateKeyPEM(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rotated.JWTSigningKeyPath = servicetest.SecretFile(t, "next.pem", string(next))
	current, err := tokens.LoadPrivateKey(e.cfg.JWTSigningKeyPath)
	if err != nil {
		t.Fatal(err)
	}
	retired, err := tokens.MarshalPublicKeyPEM(current.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	rotated.JWTVerifyKeyPaths = []string{servicetest.SecretFile(t, "retired.pem", string(retired))}
	r := e.start(rotated)
	svc, base := r.Service, r.URL

	// Its JWKS holds both keys.
	resp, err := http.Get(base + tokens.JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	jwks, err := tokens.ParseJWKS(raw)
	if err != nil {
		t.Fatal(err)
	}
	oldKid, newKid := e.svc.Signer().KeyID(), svc.Signer().KeyID()
	_, hasOld := jwks.Lookup(oldKid)
	_, hasNew := jwks.Lookup(newKid)
	if !hasOld || !hasNew || oldKid == newKid || jwks.Len() != 2 {
		t.Fatalf("JWKS %v, want the retired %s and the current %s", jwks.IDs(), oldKid, newKid)
	}
	// The old token still works on the rotated replica, and the token it
	// mints carries the new kid.
	var avail struct{ Available bool }
	signed(t, base, "GET", "/v1/availability?slug=danas-lab", priv, tok.Token, nil, 200, &avail)
	var fresh struct{ Token string }
	// (A second later: the same request in the same second is a replay.)
	signedAt(t, time.Now().Add(time.Second), base, "POST", "/v1/token", priv, "", map[string]string{"public_key": key}, 200, &fresh)
	if kid := tokenKid(t, fresh.Token); kid != string(newKid) {
		t.Fatalf("minted with kid %q, want %q", kid, newKid)
	}
	if kid := tokenKid(t, tok.Token); kid != string(oldKid) {
		t.Fatalf("the first token's kid %q, want %q", kid, oldKid)
	}
	if _, err := tokens.NewVerifier(tokens.AudienceTenants, jwks).Verify(ctx, tok.Token, time.Now()); err != nil {
		t.Fatalf("old token against the rotated JWKS: %v", err)
	}
}

// signed sends a JSON request to base, with a bearer token and a proof of
// possession by key when they are given, and checks the status.
func signed(t *testing.T, base, method, target string, key ed25519.PrivateKey, bearer string, body any, want int, out any) {
	t.Helper()
	signedAt(t, time.Now(), base, method, target, key, bearer, body, want, out)
}

// signedAt is signed with the proof made at a given time.
func signedAt(t *testing.T, at time.Time, base, method, target string, key ed25519.PrivateKey, bearer string, body any, want int, out any) {
	t.Helper()
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, base+target, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if key != nil {
		pop.SignRequest(req, key, b, at)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", method, target, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// tokenKid reads a JWT's kid header without verifying it.
func tokenKid(t *testing.T, token string) string {
	t.Helper()
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// With WARDNET_API_ADDR the public API has its own listener, which in
// production mode takes only connections that begin with a PROXY header
// (v1 or v2), and takes the client address from it; /healthz stays on the
// ops listener.
func TestPublicListenerRequiresProxyProtocol(t *testing.T) {
	t.Parallel()
	cfg := servicetest.TenantsConfig(t, testenv.StartNATS(t), testenv.Postgres(t))
	cfg.APIAddr = "127.0.0.1:0"
	svc := servicetest.StartTenants(t, cfg)
	api, ops := svc.APIAddr().String(), svc.OpsURL
	if api == svc.Addr().String() {
		t.Fatal("the public API shares the ops listener")
	}
	request := "GET /v1/health HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n"
	send := func(prefix []byte) string {
		conn, err := net.DialTimeout("tcp", api, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write(append(prefix, request...)); err != nil {
			return ""
		}
		b, _ := io.ReadAll(conn)
		return string(b)
	}
	if got := send(nil); got != "" {
		t.Fatalf("a connection without a PROXY header was answered: %q", got)
	}
	if got := send([]byte("PROXY UNKNOWN\r\n")); got != "" {
		t.Fatalf("PROXY UNKNOWN was answered: %q", got)
	}
	if got := send([]byte("PROXY TCP4 203.0.113.9 127.0.0.1 50000 443\r\n")); !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Fatalf("a PROXY v1 connection got %q", got)
	}
	v2 := append([]byte("\r\n\r\n\x00\r\nQUIT\n"), 0x21, 0x11, 0x00, 0x0c, // v2 PROXY, TCP over IPv4, 12 bytes
		203, 0, 113, 9, 127, 0, 0, 1, 0xc3, 0x50, 0x01, 0xbb)
	if got := send(v2); !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Fatalf("a PROXY v2 connection got %q", got)
	}
	resp, err := http.Get(ops + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz on the ops listener = %d", resp.StatusCode)
	}
}
