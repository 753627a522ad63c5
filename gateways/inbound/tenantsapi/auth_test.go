package tenantsapi_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// authed is an authenticated route and the callers it takes.
type authed struct {
	method, path string
	daemon, user bool
	body         any
}

// authedRoutes are the routes behind authn.Require, with bodies that
// would get past decoding.
var authedRoutes = []authed{
	{"GET", "/v1/availability?slug=home", true, true, nil},
	{"POST", "/v1/networks", true, false, map[string]any{"slug": "home", "region": region}},
	{"DELETE", "/v1/networks/" + otherID + "/daemons/self", true, false, nil},
	{"GET", "/v1/networks/" + otherID + "/daemons", false, true, nil},
	{"GET", "/v1/me", false, true, nil},
	{"DELETE", "/v1/me/sessions", false, true, nil},
	{"DELETE", "/v1/tenants/" + otherID, false, true, nil},
	{"POST", "/v1/tenants/" + otherID + "/codes", false, true, nil},
	{"GET", "/v1/tenants/" + otherID + "/networks", false, true, nil},
	{"GET", "/v1/tenants/" + otherID + "/daemons", false, true, nil},
	{"DELETE", "/v1/tenants/" + otherID + "/networks/home", false, true, nil},
	{"POST", "/v1/tenants/" + otherID + "/networks/home/credentials", false, true, nil},
	{"GET", "/v1/tenants/" + otherID + "/networks/home/credentials", false, true, nil},
	{"DELETE", "/v1/tenants/" + otherID + "/networks/home/credentials/" + otherCredential, false, true, nil},
}

// Without a bearer token, or with one that does not verify, every
// authenticated route answers 401 before anything else happens.
func TestMissingOrInvalidBearerIs401(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	stranger, err := tokens.NewSigner(otherKey)
	must(t, err)
	foreign, err := stranger.Sign(tokens.UserClaims(tenantA, s.Clock.Now(), 0))
	must(t, err)
	expired := s.signClaims(t, tokens.UserClaims(tenantA, s.Clock.Now().Add(-time.Hour), time.Minute))
	expiredDaemon := s.signClaims(t, tokens.DaemonClaims(tenantA, daemon.Public().(ed25519.PublicKey), "", s.Clock.Now().Add(-2*time.Hour)))

	for _, rt := range authedRoutes {
		for _, c := range []struct {
			name, header string
			sign         bool
			want         string
		}{
			{"no header", "", false, "authentication required"},
			{"not bearer", "Basic dXNlcjpwYXNz", false, "authentication required"},
			{"lower-case bearer", "bearer " + s.userToken(t, tenantA), false, "authentication required"},
			{"garbage", "Bearer not.a.jwt", false, "invalid token"},
			{"other signer", "Bearer " + foreign, false, "invalid token"},
			{"expired user", "Bearer " + expired, false, "invalid token"},
			{"expired daemon", "Bearer " + expiredDaemon, true, "invalid token"},
		} {
			cl := call{method: rt.method, path: rt.path, body: rt.body}
			if c.sign {
				cl.sign = daemon
			}
			r := s.doWithAuthorization(t, cl, c.header)
			r.wantError(t, http.StatusUnauthorized, c.want)
			r.conforms(t)
		}
	}
}

// A daemon's token is refused on user routes and a user's on daemon
// routes, with 403.
func TestWrongKindOfCallerIs403(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	for _, rt := range authedRoutes {
		if !rt.daemon {
			r := s.do(t, call{method: rt.method, path: rt.path, body: rt.body,
				bearer: s.daemonToken(t, otherID, daemon, otherID), sign: daemon})
			r.wantError(t, http.StatusForbidden, "this endpoint does not accept daemon callers")
			r.conforms(t)
		}
		if !rt.user {
			r := s.do(t, call{method: rt.method, path: rt.path, body: rt.body, bearer: s.userToken(t, otherID)})
			r.wantError(t, http.StatusForbidden, "this endpoint does not accept user callers")
			r.conforms(t)
		}
	}
}

// A daemon's token is worth nothing without the proof that the request
// was signed by its key, once.
func TestDaemonRoutesNeedProofOfPossession(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon, other := newDaemon(t), newDaemon(t)
	for _, rt := range authedRoutes {
		if !rt.daemon {
			continue
		}
		token := s.daemonToken(t, tenantA, daemon, otherID)
		s.do(t, call{method: rt.method, path: rt.path, body: rt.body, bearer: token}).
			wantError(t, http.StatusUnauthorized, "missing or invalid X-Wardnet-Timestamp")
		s.do(t, call{method: rt.method, path: rt.path, body: rt.body, bearer: token, sign: daemon, signSkew: -2 * time.Minute}).
			wantError(t, http.StatusUnauthorized, "missing or invalid X-Wardnet-Timestamp")
		s.do(t, call{method: rt.method, path: rt.path, body: rt.body, bearer: token, sign: other}).
			wantError(t, http.StatusUnauthorized, "invalid request signature")
		// Accepted once (whatever the route then answers), refused again:
		// the very same request, headers and all (signing it again could
		// fall in the next second, which is another request).
		first := s.do(t, call{method: rt.method, path: rt.path, body: rt.body, bearer: token, sign: daemon, signSkew: -time.Second})
		if first.status == http.StatusUnauthorized {
			t.Fatalf("%s %s: signed request refused: %s", rt.method, rt.path, first.body)
		}
		s.do(t, call{method: rt.method, path: rt.path, body: rt.body, header: first.req.Header.Clone()}).
			wantError(t, http.StatusUnauthorized, "replayed request")
	}
}

// Every route under /v1/tenants/{id} is the caller's own tenant's only.
func TestNotYourTenantIs403(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	token := s.userToken(t, tenantA)
	for _, rt := range authedRoutes {
		if !rt.user || len(rt.path) < len("/v1/tenants/") || rt.path[:len("/v1/tenants/")] != "/v1/tenants/" {
			continue
		}
		r := s.do(t, call{method: rt.method, path: rt.path, body: rt.body, bearer: token})
		r.wantError(t, http.StatusForbidden, "not your tenant")
		r.conforms(t)
	}
	// A path id that is not even an id is someone else's all the same.
	s.do(t, call{method: "GET", path: "/v1/tenants/not-an-id/networks", bearer: token}).
		wantError(t, http.StatusForbidden, "not your tenant")
}

// tenants mints user tokens for its own tenant ids only: a verified token
// whose tid is not one is refused.
func TestUserTokenWithMalformedTenantIs401(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	token := s.userToken(t, "t-1")
	s.do(t, call{method: "GET", path: "/v1/me", bearer: token}).wantError(t, http.StatusUnauthorized, "invalid token")
	s.do(t, call{method: "GET", path: "/v1/tenants/t-1/networks", bearer: token}).wantError(t, http.StatusUnauthorized, "invalid token")
}

// tenants mints daemon tokens for its own ids only, too: a verified token
// whose tid or net is not one is refused before the route runs.
func TestDaemonTokenWithMalformedIdsIs401(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	for i, c := range []struct {
		name, tenant, network string
		call                  call
	}{
		{"tenant", "t-1", "", call{method: "POST", path: "/v1/networks", body: map[string]any{"slug": "home", "region": region}}},
		{"network", tenantA, "n-1", call{method: "DELETE", path: "/v1/networks/n-1/daemons/self"}},
		{"upper-case network", tenantA, strings.ToUpper(otherID), call{method: "DELETE", path: "/v1/networks/" + otherID + "/daemons/self"}},
	} {
		// One proof per second and key: each request is signed two
		// seconds before the last, so none is a replay of another.
		c.call.bearer, c.call.sign = s.daemonToken(t, c.tenant, daemon, c.network), daemon
		c.call.signSkew = -2 * time.Duration(i) * time.Second
		r := s.do(t, c.call)
		r.wantError(t, http.StatusUnauthorized, "invalid token")
		r.conforms(t)
	}
}

// A network id in a path that is not even an id is as missing as one that
// does not exist.
func TestMalformedNetworkIDIsNotFound(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	user := s.userToken(t, tenantA)
	for _, id := range []string{"not-an-id", strings.ToUpper(otherID)} {
		r := s.do(t, call{method: "GET", path: "/v1/networks/" + id + "/daemons", bearer: user})
		r.wantError(t, http.StatusNotFound, "network not found")
		r.conforms(t)
	}
}

// A daemon removes itself only with a token scoped to that network.
func TestSelfRemovalNeedsThisNetworksToken(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	path := "/v1/networks/" + otherID + "/daemons/self"
	for i, network := range []string{"", "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"} {
		// One proof per second and key: the second request is signed two
		// seconds earlier so it is not a replay of the first, even if a
		// second ticks between them.
		r := s.do(t, call{method: "DELETE", path: path, bearer: s.daemonToken(t, tenantA, daemon, network),
			sign: daemon, signSkew: -2 * time.Duration(i) * time.Second})
		r.wantError(t, http.StatusForbidden, "a network-scoped token for this network is required")
		r.conforms(t)
	}
}

// POST /v1/token has no bearer token: its credential is the proof of
// possession of the key in its body.
func TestTokenRequestNeedsProofWithTheBodysKey(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon, other := newDaemon(t), newDaemon(t)
	body := map[string]any{"public_key": publicKey(daemon)}
	for _, c := range []struct {
		name string
		call call
		want string
	}{
		{"no proof", call{body: body}, "missing or invalid X-Wardnet-Timestamp"},
		{"stale", call{body: body, sign: daemon, signSkew: -61 * time.Second}, "missing or invalid X-Wardnet-Timestamp"},
		{"future", call{body: body, sign: daemon, signSkew: 61 * time.Second}, "missing or invalid X-Wardnet-Timestamp"},
		{"another key", call{body: body, sign: other}, "invalid request signature"},
	} {
		c.call.method, c.call.path = "POST", "/v1/token"
		// In one second of the stack's clock: 61 s stays 61 s.
		r := s.inOneSecond(func() *reply { return s.do(t, c.call) })
		r.wantError(t, http.StatusUnauthorized, c.want)
		r.conforms(t)
	}
	// The proof is accepted once (the key is not enrolled, so the
	// commands then refuse it in their own terms), and refused again.
	first := s.do(t, call{method: "POST", path: "/v1/token", body: body, sign: daemon})
	var e struct{ Error string }
	decodeJSON(t, first.body, &e)
	switch e.Error {
	case "missing or invalid X-Wardnet-Timestamp", "invalid request signature", "replayed request":
		t.Fatalf("signed token request refused: %d %s", first.status, first.body)
	}
	r := s.do(t, call{method: "POST", path: "/v1/token", body: body, header: first.req.Header.Clone()})
	r.wantError(t, http.StatusUnauthorized, "replayed request")

	for _, c := range []struct {
		body any
		want string
	}{
		{map[string]any{"public_key": "AAAA"}, "invalid public key"},
		{map[string]any{"public_key": publicKey(daemon) + "="}, "invalid public key"},
		{map[string]any{}, `missing field "public_key"`},
		{`{"public_key":`, ""},
	} {
		r := s.do(t, call{method: "POST", path: "/v1/token", body: c.body, sign: daemon})
		r.wantError(t, http.StatusBadRequest, c.want)
		r.conforms(t)
	}
}

// doWithAuthorization is do with a raw Authorization header (or none).
func (s *stack) doWithAuthorization(t testing.TB, c call, header string) *reply {
	t.Helper()
	c.rawAuthorization = header
	return s.do(t, c)
}

func (s *stack) signClaims(t testing.TB, c tokens.Claims) string {
	t.Helper()
	tok, err := s.Signer.Sign(c)
	must(t, err)
	return tok
}
