package tenantsapi_test

// Contract tests: each endpoint of docs/api/tenants.yaml end to end on the
// real stack, every answer checked against the document.

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// ipSeq gives each test its own client address, so that per-IP limits of
// one test do not spill into another's.
var ipSeq atomic.Uint32

func newClientIP() string {
	n := ipSeq.Add(1)
	return fmt.Sprintf("198.51.%d.%d", n/250, n%250+1)
}

// issue asks for a code for email and purpose and returns it (the stack's
// mail sender echoes codes).
func (s *stack) issue(t *testing.T, email, purpose string) string {
	t.Helper()
	r := s.do(t, call{method: "POST", path: "/v1/verification-codes",
		body: map[string]string{"email": email, "purpose": purpose}, clientIP: newClientIP()})
	var got struct{ Code *string }
	r.decode(t, http.StatusOK, &got)
	r.conforms(t)
	if got.Code == nil {
		t.Fatal("the development sender echoes codes, got null")
	}
	return *got.Code
}

// signup signs up email with password and returns the session cookie.
func (s *stack) signup(t *testing.T, email, password string) *http.Cookie {
	t.Helper()
	code := s.issue(t, email, "signup")
	r := s.do(t, call{method: "POST", path: "/v1/auth/password/signup",
		body: map[string]string{"email": email, "code": code, "password": password}})
	r.wantStatus(t, http.StatusNoContent)
	r.conforms(t)
	c := r.cookie()
	if c == nil || c.Value == "" {
		t.Fatalf("signup set no session cookie: %q", r.header.Values("Set-Cookie"))
	}
	wantCookieAttributes(t, c, r.header.Get("Set-Cookie"))
	if c.MaxAge != int((30 * 24 * time.Hour).Seconds()) {
		t.Errorf("session cookie Max-Age %d, want 30 days", c.MaxAge)
	}
	return c
}

// exchange trades a session cookie for a user token and returns it with
// its tenant.
func (s *stack) exchange(t *testing.T, cookie *http.Cookie) (token, tenant string) {
	t.Helper()
	r := s.do(t, call{method: "POST", path: "/v1/auth/token", cookies: []*http.Cookie{cookie}})
	var got struct{ Token string }
	r.decode(t, http.StatusOK, &got)
	r.conforms(t)
	claims, err := tokens.NewVerifier(tokens.AudienceTenants, s.Signer.Keys()).Verify(context.Background(), got.Token, s.Clock.Now())
	must(t, err)
	if claims.Principal != tokens.PrincipalUser || claims.Subject != claims.TenantID {
		t.Fatalf("exchanged token claims %+v, want a user token", claims)
	}
	return got.Token, claims.TenantID
}

// daemonCall is a daemon's signed call: each one a second after the last
// on the stack's clock, so that no two share a proof.
func (s *stack) daemonCall(t *testing.T, key ed25519.PrivateKey, c call) *reply {
	t.Helper()
	s.Clock.Advance(time.Second)
	c.sign = key
	return s.do(t, c)
}

// mint asks POST /v1/token for key's token and returns its claims.
func (s *stack) mint(t *testing.T, key ed25519.PrivateKey) (string, tokens.Claims) {
	t.Helper()
	r := s.daemonCall(t, key, call{method: "POST", path: "/v1/token", body: map[string]string{"public_key": publicKey(key)}})
	var got struct{ Token string }
	r.decode(t, http.StatusOK, &got)
	r.conforms(t)
	claims, err := tokens.NewVerifier(tokens.AudienceTenants, s.Signer.Keys()).Verify(context.Background(), got.Token, s.Clock.Now())
	must(t, err)
	if claims.Principal != tokens.PrincipalDaemon || claims.Subject != publicKey(key) {
		t.Fatalf("minted token claims %+v, want the daemon's", claims)
	}
	return got.Token, claims
}

// enroll binds key with an enrollment code and returns its tenant.
func (s *stack) enroll(t *testing.T, code string, key ed25519.PrivateKey) string {
	t.Helper()
	r := s.do(t, call{method: "POST", path: "/v1/enroll", body: map[string]string{"code": code, "public_key": publicKey(key)}})
	var got struct {
		TenantID string `json:"tenant_id"`
	}
	r.decode(t, http.StatusOK, &got)
	r.conforms(t)
	return got.TenantID
}

// register registers a network for the daemon key with its token and
// returns the network.
func (s *stack) register(t *testing.T, key ed25519.PrivateKey, token string, body map[string]any) tenancy.NetworkView {
	t.Helper()
	r := s.daemonCall(t, key, call{method: "POST", path: "/v1/networks", bearer: token, body: body})
	var n tenancy.NetworkView
	r.decode(t, http.StatusOK, &n)
	r.conforms(t)
	return n
}

// daemonCode asks POST /v1/tenants/{tenant}/codes for an add-daemon code.
func (s *stack) daemonCode(t *testing.T, user, tenant string) string {
	t.Helper()
	r := s.do(t, call{method: "POST", path: "/v1/tenants/" + tenant + "/codes", bearer: user})
	var got struct{ Code *string }
	r.decode(t, http.StatusOK, &got)
	r.conforms(t)
	if got.Code == nil {
		t.Fatal("the development sender echoes codes, got null")
	}
	return *got.Code
}

// inOneSecond stops the stack's clock for the length of do, so that a
// proof signed at the clock's time plus a skew reaches the verifier with
// exactly that skew: a boundary case (60 s accepted, 61 s refused) cannot
// turn into its neighbour because a second ticked during the request.
func (s *stack) inOneSecond(do func() *reply) *reply {
	s.Clock.Set(s.Clock.Now())
	defer s.Clock.Resume()
	return do()
}

// me reads GET /v1/me until the trial the lifecycle opens on creation
// shows, and returns it.
func (s *stack) me(t *testing.T, token string) meView {
	t.Helper()
	var me meView
	testenv.Eventually(t, 10*time.Second, func() error {
		r := s.do(t, call{method: "GET", path: "/v1/me", bearer: token})
		me = meView{}
		r.decode(t, http.StatusOK, &me)
		r.conforms(t)
		if me.Subscription == nil {
			return errors.New("GET /v1/me shows no subscription yet")
		}
		return nil
	})
	return me
}

type meView struct {
	TenantID     string                    `json:"tenant_id"`
	Email        string                    `json:"email"`
	Subscription *tenancy.SubscriptionView `json:"subscription"`
}

// The life of a password account: sign up, exchange the cookie, read the
// profile, log in and out, sign out everywhere, reset the password.
func TestContractPasswordAccount(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	const email, password, newPassword = "alice@example.com", "correct horse battery", "staple and more"

	// Sign up, with the email in any case and spacing.
	cookie := s.signup(t, "  Alice@Example.COM ", password)
	token, tenant := s.exchange(t, cookie)

	me := s.me(t, token)
	if me.TenantID != tenant || me.Email != email {
		t.Errorf("me = %+v, want tenant %s, email %s", me, tenant, email)
	}
	if me.Subscription == nil || me.Subscription.Status != "trialing" ||
		me.Subscription.Entitlement != (tenancy.Entitlement{MaxNetworks: 1, MaxDaemons: 1}) {
		t.Errorf("subscription %+v, want the trial", me.Subscription)
	}
	for _, path := range []string{"/v1/tenants/" + tenant + "/networks", "/v1/tenants/" + tenant + "/daemons"} {
		r := s.do(t, call{method: "GET", path: path, bearer: token})
		r.wantStatus(t, http.StatusOK)
		r.conforms(t)
		if string(r.body) != "[]\n" {
			t.Errorf("GET %s = %q, want []", path, r.body)
		}
	}

	// A second sign-up for the email conflicts.
	code := s.issue(t, email, "signup")
	r := s.do(t, call{method: "POST", path: "/v1/auth/password/signup",
		body: map[string]string{"email": email, "code": code, "password": password}})
	r.wantError(t, http.StatusConflict, "")
	r.conforms(t)
	// A code is good once, for its own email and purpose, and a short
	// password is refused. (A refused sign-up leaves its code unused.)
	spent := s.issue(t, "frank@example.com", "signup")
	s.do(t, call{method: "POST", path: "/v1/auth/password/signup",
		body: map[string]string{"email": "frank@example.com", "code": spent, "password": password}}).wantStatus(t, http.StatusNoContent)
	for _, c := range []struct {
		body   map[string]string
		status int
	}{
		{map[string]string{"email": "frank@example.com", "code": spent, "password": password}, http.StatusUnauthorized},
		{map[string]string{"email": "mallory@example.com", "code": s.issue(t, email, "signup"), "password": password}, http.StatusUnauthorized},
		{map[string]string{"email": "bob@example.com", "code": s.issue(t, "bob@example.com", "signup"), "password": "short"}, http.StatusBadRequest},
		{map[string]string{"email": "bob@example.com", "code": s.issue(t, "bob@example.com", "password_reset"), "password": password}, http.StatusUnauthorized},
	} {
		r := s.do(t, call{method: "POST", path: "/v1/auth/password/signup", body: c.body})
		r.wantError(t, c.status, "")
		r.conforms(t)
		if r.cookie() != nil {
			t.Error("refused sign-up set a cookie")
		}
	}

	// Log in: a wrong password and an unknown email are refused alike.
	ip := newClientIP()
	for _, body := range []map[string]string{
		{"email": email, "password": "wrong password"},
		{"email": "nobody@example.com", "password": password},
	} {
		r := s.do(t, call{method: "POST", path: "/v1/auth/password/login", body: body, clientIP: ip})
		r.wantError(t, http.StatusUnauthorized, "invalid email or password")
		r.conforms(t)
	}
	r = s.do(t, call{method: "POST", path: "/v1/auth/password/login", body: map[string]string{"email": email, "password": password}, clientIP: ip})
	r.wantStatus(t, http.StatusNoContent)
	r.conforms(t)
	second := r.cookie()
	if second == nil || second.Value == cookie.Value {
		t.Fatalf("login set no new session cookie: %q", r.header.Values("Set-Cookie"))
	}
	if _, tid := s.exchange(t, second); tid != tenant {
		t.Errorf("login session of tenant %s, want %s", tid, tenant)
	}

	// Log out ends that session only, and again is no error.
	for range 2 {
		r = s.do(t, call{method: "POST", path: "/v1/auth/logout", cookies: []*http.Cookie{second}})
		r.wantStatus(t, http.StatusNoContent)
		r.conforms(t)
		wantCleared(t, r)
	}
	r = s.do(t, call{method: "POST", path: "/v1/auth/token", cookies: []*http.Cookie{second}})
	r.wantError(t, http.StatusUnauthorized, "")
	r.conforms(t)
	token, _ = s.exchange(t, cookie)

	// Sign out everywhere ends the first one too.
	r = s.do(t, call{method: "DELETE", path: "/v1/me/sessions", bearer: token})
	r.wantStatus(t, http.StatusNoContent)
	r.conforms(t)
	wantCleared(t, r)
	s.do(t, call{method: "POST", path: "/v1/auth/token", cookies: []*http.Cookie{cookie}}).wantError(t, http.StatusUnauthorized, "")

	// Reset the password: no cookie; the old password stops working.
	r = s.do(t, call{method: "POST", path: "/v1/auth/password/reset",
		body: map[string]string{"code": s.issue(t, email, "password_reset"), "password": newPassword}})
	r.wantStatus(t, http.StatusNoContent)
	r.conforms(t)
	if r.cookie() != nil {
		t.Error("reset set a cookie")
	}
	ip = newClientIP()
	s.do(t, call{method: "POST", path: "/v1/auth/password/login", body: map[string]string{"email": email, "password": password}, clientIP: ip}).
		wantError(t, http.StatusUnauthorized, "invalid email or password")
	r = s.do(t, call{method: "POST", path: "/v1/auth/password/login", body: map[string]string{"email": email, "password": newPassword}, clientIP: ip})
	r.wantStatus(t, http.StatusNoContent)
	// A reset for an email without an account answers alike; a bad code does not.
	s.do(t, call{method: "POST", path: "/v1/auth/password/reset",
		body: map[string]string{"code": s.issue(t, "nobody@example.com", "password_reset"), "password": newPassword}}).wantStatus(t, http.StatusNoContent)
	r = s.do(t, call{method: "POST", path: "/v1/auth/password/reset", body: map[string]string{"code": "AAAAAA", "password": newPassword}})
	r.wantError(t, http.StatusUnauthorized, "")
	r.conforms(t)

	s.wantNoSecretsLogged(t, email, password, newPassword, code, token, cookie.Value, second.Value)
}

// The life of a daemon: enroll, mint a tenant-scoped token, check and
// register a name, mint a network-scoped token; its owner sees it; it
// removes itself; the owner deletes the network and deregisters.
func TestContractDaemonLifecycle(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	const email = "bob@example.com"
	daemon := newDaemon(t)

	code := s.issue(t, email, "enrollment")
	r := s.do(t, call{method: "POST", path: "/v1/enroll", body: map[string]string{"code": code, "public_key": publicKey(daemon)}})
	var enrolled struct {
		TenantID string `json:"tenant_id"`
	}
	r.decode(t, http.StatusOK, &enrolled)
	r.conforms(t)
	tenant := enrolled.TenantID
	// The code is spent; a bad key is a bad request.
	r = s.do(t, call{method: "POST", path: "/v1/enroll", body: map[string]string{"code": code, "public_key": publicKey(daemon)}})
	r.wantError(t, http.StatusUnauthorized, "")
	r.conforms(t)
	r = s.do(t, call{method: "POST", path: "/v1/enroll", body: map[string]string{"code": s.issue(t, email, "enrollment"), "public_key": "bm90IGEga2V5"}})
	r.wantError(t, http.StatusBadRequest, "invalid public key")
	r.conforms(t)
	// A key that was never enrolled gets no token.
	r = s.daemonCall(t, newDaemon(t), call{method: "POST", path: "/v1/token", body: map[string]string{"public_key": publicKey(newDaemon(t))}})
	r.wantError(t, http.StatusUnauthorized, "invalid request signature") // signed with another key than the body's
	stranger := newDaemon(t)
	r = s.daemonCall(t, stranger, call{method: "POST", path: "/v1/token", body: map[string]string{"public_key": publicKey(stranger)}})
	r.wantError(t, http.StatusUnauthorized, "")
	r.conforms(t)

	token, claims := s.mint(t, daemon)
	if claims.TenantID != tenant || claims.NetworkScoped() || !claims.HasAudience(tokens.AudienceTenants) || claims.HasAudience(tokens.AudienceDDNS) {
		t.Fatalf("first token %+v, want tenant-scoped for %s", claims, tenant)
	}

	available := func(bearer string, key ed25519.PrivateKey, slug string) bool {
		t.Helper()
		c := call{method: "GET", path: "/v1/availability?slug=" + slug, bearer: bearer}
		var r *reply
		if key != nil {
			r = s.daemonCall(t, key, c)
		} else {
			r = s.do(t, c)
		}
		var got struct{ Available bool }
		r.decode(t, http.StatusOK, &got)
		r.conforms(t)
		return got.Available
	}
	for slug, want := range map[string]bool{"bobs-home": true, "ab": false, "www": false, "Bobs-Home": false, "-bob": false} {
		if got := available(token, daemon, slug); got != want {
			t.Errorf("availability of %q = %v, want %v", slug, got, want)
		}
	}

	// Register: bad requests first, then the network.
	for _, c := range []struct {
		body map[string]any
		want int
	}{
		{map[string]any{"slug": "www", "region": region}, http.StatusBadRequest},
		{map[string]any{"slug": "Bad Slug", "region": region}, http.StatusBadRequest},
		{map[string]any{"slug": "bobs-home", "region": "mars"}, http.StatusBadRequest},
	} {
		r := s.daemonCall(t, daemon, call{method: "POST", path: "/v1/networks", body: c.body, bearer: token})
		r.wantError(t, c.want, "")
		r.conforms(t)
	}
	r = s.daemonCall(t, daemon, call{method: "POST", path: "/v1/networks", bearer: token,
		body: map[string]any{"slug": "bobs-home", "display_name": "Bob's home", "region": " " + region + " "}})
	var network tenancy.NetworkView
	r.decode(t, http.StatusOK, &network)
	r.conforms(t)
	if network.TenantID != tenant || network.Slug != "bobs-home" || network.Region != region ||
		network.DisplayName == nil || *network.DisplayName != "Bob's home" || network.ProvisioningState != "provisioning" || network.ID == "" {
		t.Errorf("registered network %+v", network)
	}
	if available(token, daemon, "bobs-home") {
		t.Error("a registered slug is available")
	}
	// Registering again: the daemon is bound now.
	r = s.daemonCall(t, daemon, call{method: "POST", path: "/v1/networks", bearer: token, body: map[string]any{"slug": "bobs-cabin", "region": region}})
	r.wantError(t, http.StatusConflict, "")
	r.conforms(t)

	// The next token is scoped to the network.
	netToken, claims := s.mint(t, daemon)
	if claims.Network != network.ID || !claims.HasAudience(tokens.AudienceDDNS) || !claims.HasAudience(tokens.AudienceTunneller) {
		t.Fatalf("second token %+v, want network-scoped to %s", claims, network.ID)
	}

	// The owner sees the network and its daemon; nobody else does.
	user := s.userToken(t, tenant)
	if available(user, nil, "bobs-home") {
		t.Error("a registered slug is available to a user")
	}
	var networks []tenancy.NetworkView
	r = s.do(t, call{method: "GET", path: "/v1/tenants/" + tenant + "/networks", bearer: user})
	r.decode(t, http.StatusOK, &networks)
	r.conforms(t)
	if len(networks) != 1 || networks[0].ID != network.ID {
		t.Errorf("networks %+v, want the one registered", networks)
	}
	for _, path := range []string{"/v1/tenants/" + tenant + "/daemons", "/v1/networks/" + network.ID + "/daemons"} {
		var daemons []tenancy.DaemonView
		r = s.do(t, call{method: "GET", path: path, bearer: user})
		r.decode(t, http.StatusOK, &daemons)
		r.conforms(t)
		if len(daemons) != 1 || daemons[0].PublicKey != publicKey(daemon) || daemons[0].NetworkID != network.ID {
			t.Errorf("GET %s = %+v, want the daemon", path, daemons)
		}
	}
	for _, path := range []string{"/v1/networks/" + network.ID + "/daemons", "/v1/networks/" + otherID + "/daemons"} {
		r = s.do(t, call{method: "GET", path: path, bearer: s.userToken(t, otherID)})
		r.wantError(t, http.StatusNotFound, "network not found")
		r.conforms(t)
	}
	me := s.me(t, user)
	if me.Email != email || me.TenantID != tenant {
		t.Errorf("me = %+v", me)
	}

	// The owner asks for an add-daemon code.
	r = s.do(t, call{method: "POST", path: "/v1/tenants/" + tenant + "/codes", bearer: user})
	var added struct{ Code *string }
	r.decode(t, http.StatusOK, &added)
	r.conforms(t)
	if added.Code == nil || len(*added.Code) != 6 {
		t.Errorf("add-daemon code %v", added.Code)
	}

	// The daemon removes itself, twice.
	for range 2 {
		r = s.daemonCall(t, daemon, call{method: "DELETE", path: "/v1/networks/" + network.ID + "/daemons/self", bearer: netToken})
		r.wantStatus(t, http.StatusNoContent)
		r.conforms(t)
	}
	r = s.do(t, call{method: "GET", path: "/v1/networks/" + network.ID + "/daemons", bearer: user})
	r.wantStatus(t, http.StatusOK)
	if string(r.body) != "[]\n" {
		t.Errorf("daemons after self-removal: %s", r.body)
	}

	// The owner deletes the network (twice), not another's or a missing one.
	for range 2 {
		r = s.do(t, call{method: "DELETE", path: "/v1/tenants/" + tenant + "/networks/bobs-home", bearer: user})
		r.wantStatus(t, http.StatusAccepted)
		r.conforms(t)
	}
	r = s.do(t, call{method: "DELETE", path: "/v1/tenants/" + tenant + "/networks/nothing-here", bearer: user})
	r.wantError(t, http.StatusNotFound, "")
	r.conforms(t)
	networks = nil
	s.do(t, call{method: "GET", path: "/v1/tenants/" + tenant + "/networks", bearer: user}).decode(t, http.StatusOK, &networks)
	if len(networks) != 1 || networks[0].ProvisioningState != "deprovisioning" {
		t.Errorf("networks after delete: %+v", networks)
	}

	// Deregister, twice; then the account is gone for its owner.
	for range 2 {
		r = s.do(t, call{method: "DELETE", path: "/v1/tenants/" + tenant, bearer: user})
		r.wantStatus(t, http.StatusAccepted)
		r.conforms(t)
	}
	r = s.do(t, call{method: "GET", path: "/v1/me", bearer: user})
	r.wantError(t, http.StatusNotFound, "")
	r.conforms(t)
	r = s.do(t, call{method: "POST", path: "/v1/tenants/" + tenant + "/codes", bearer: user})
	r.wantError(t, http.StatusForbidden, "")
	r.conforms(t)

	s.wantNoSecretsLogged(t, email, code, *added.Code, token, netToken, user)
}

// Codes are limited per client IP: the eleventh in an hour is 429 with
// Retry-After.
func TestContractCodeRateLimit(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ip := newClientIP()
	body := map[string]string{"email": "carol@example.com", "purpose": "signup"}
	for i := range 10 {
		r := s.do(t, call{method: "POST", path: "/v1/verification-codes", body: body, clientIP: ip})
		if r.status != http.StatusOK {
			t.Fatalf("code %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := s.do(t, call{method: "POST", path: "/v1/verification-codes", body: body, clientIP: ip})
	r.wantError(t, http.StatusTooManyRequests, "")
	r.conforms(t)
	wantRetryAfter(t, r, time.Hour)
	// Another client is not limited.
	s.do(t, call{method: "POST", path: "/v1/verification-codes", body: body, clientIP: newClientIP()}).wantStatus(t, http.StatusOK)
}

// Logins are limited per client IP: the eleventh attempt in 5 minutes is
// 429 with Retry-After, good password or not.
func TestContractLoginThrottle(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ip := newClientIP()
	body := map[string]string{"email": "dave@example.com", "password": "not the password"}
	for i := range 10 {
		r := s.do(t, call{method: "POST", path: "/v1/auth/password/login", body: body, clientIP: ip})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := s.do(t, call{method: "POST", path: "/v1/auth/password/login", body: body, clientIP: ip})
	r.wantError(t, http.StatusTooManyRequests, "too many login attempts; try again later")
	r.conforms(t)
	wantRetryAfter(t, r, 5*time.Minute)
}

// Bad requests for codes: the email and the purpose are checked.
func TestContractCodeBadRequests(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, body := range []map[string]string{
		{"email": "ab", "purpose": "signup"},
		{"email": "no-at-sign", "purpose": "signup"},
		{"email": "erin@example.com", "purpose": "lunch"},
	} {
		r := s.do(t, call{method: "POST", path: "/v1/verification-codes", body: body, clientIP: newClientIP()})
		r.wantError(t, http.StatusBadRequest, "")
		r.conforms(t)
	}
}

func wantRetryAfter(t testing.TB, r *reply, most time.Duration) {
	t.Helper()
	var secs int
	if _, err := fmt.Sscan(r.header.Get("Retry-After"), &secs); err != nil || secs < 1 || secs > int(most.Seconds()) {
		t.Errorf("Retry-After %q, want 1..%d seconds", r.header.Get("Retry-After"), int(most.Seconds()))
	}
}

// wantNoSecretsLogged checks that none of the secrets a test handled
// (passwords, codes, tokens, cookies, emails as the API normalises them)
// reached the log.
func (s *stack) wantNoSecretsLogged(t *testing.T, secrets ...string) {
	t.Helper()
	log := s.Logs.String()
	for _, sec := range secrets {
		if sec != "" && strings.Contains(log, sec) {
			t.Errorf("the log contains a secret (%d characters starting %q)", len(sec), sec[:min(4, len(sec))])
		}
	}
}

// When the read model lags the log, a registration that succeeded is
// answered from the request rather than with a 503 the daemon would retry
// into a 409; reads answer 503 "retry".
func TestContractReadModelBehind(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	r := s.do(t, call{method: "POST", path: "/v1/enroll",
		body: map[string]string{"code": s.issue(t, "gina@example.com", "enrollment"), "public_key": publicKey(daemon)}})
	var enrolled struct {
		TenantID string `json:"tenant_id"`
	}
	r.decode(t, http.StatusOK, &enrolled)
	token, _ := s.mint(t, daemon)

	s.holdReadModel(t)
	r = s.daemonCall(t, daemon, call{method: "POST", path: "/v1/networks", bearer: token,
		body: map[string]any{"slug": "ginas-lab", "region": " " + region}})
	var network tenancy.NetworkView
	r.decode(t, http.StatusOK, &network)
	r.conforms(t)
	if network.TenantID != enrolled.TenantID || network.Slug != "ginas-lab" || network.Region != region ||
		network.DisplayName != nil || network.ProvisioningState != "provisioning" || network.ID == "" {
		t.Errorf("network answered from the request: %+v", network)
	}
	if !strings.Contains(s.Logs.String(), "network registered but not yet in the read model") {
		t.Error("the fallback is not logged")
	}

	// Every user read waits out its bound (in parallel here) and answers
	// 503, as the document declares.
	user := s.userToken(t, enrolled.TenantID)
	for _, c := range []struct{ route, path string }{
		{"me", "/v1/me"},
		{"tenant networks", "/v1/tenants/" + enrolled.TenantID + "/networks"},
		{"tenant daemons", "/v1/tenants/" + enrolled.TenantID + "/daemons"},
		{"network daemons", "/v1/networks/" + network.ID + "/daemons"},
	} {
		t.Run(c.route, func(t *testing.T) {
			t.Parallel()
			r := s.do(t, call{method: "GET", path: c.path, bearer: user})
			r.wantError(t, http.StatusServiceUnavailable, "read model is catching up; retry")
			r.conforms(t)
			if r.header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After %q, want 1", r.header.Get("Retry-After"))
			}
		})
	}
}
