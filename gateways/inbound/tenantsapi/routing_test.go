package tenantsapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// routes are every route of the document, as method and a concrete path.
var routes = []struct{ method, path string }{
	{"GET", "/v1/health"},
	{"GET", "/.well-known/jwks.json"},
	{"POST", "/v1/verification-codes"},
	{"POST", "/v1/enroll"},
	{"POST", "/v1/token"},
	{"GET", "/v1/availability?slug=home"},
	{"POST", "/v1/networks"},
	{"DELETE", "/v1/networks/" + otherID + "/daemons/self"},
	{"GET", "/v1/networks/" + otherID + "/daemons"},
	{"GET", "/v1/me"},
	{"DELETE", "/v1/me/sessions"},
	{"DELETE", "/v1/tenants/" + otherID},
	{"POST", "/v1/tenants/" + otherID + "/codes"},
	{"GET", "/v1/tenants/" + otherID + "/networks"},
	{"GET", "/v1/tenants/" + otherID + "/daemons"},
	{"DELETE", "/v1/tenants/" + otherID + "/networks/home"},
	{"POST", "/v1/tenants/" + otherID + "/networks/home/credentials"},
	{"GET", "/v1/tenants/" + otherID + "/networks/home/credentials"},
	{"DELETE", "/v1/tenants/" + otherID + "/networks/home/credentials/" + otherCredential},
	{"POST", "/v1/auth/password/signup"},
	{"POST", "/v1/auth/password/login"},
	{"POST", "/v1/auth/password/reset"},
	{"POST", "/v1/auth/token"},
	{"POST", "/v1/auth/logout"},
}

// otherID is a well-formed id that is nobody's; tenantA is the tenant of
// tokens in tests that need no real tenant; otherCredential a credential
// id that is nobody's.
const (
	otherID         = "8d1c2b3a-4f5e-4d6c-9b8a-7f6e5d4c3b2a"
	tenantA         = "0b7c6d0e-6f3a-4a55-9a43-8f5a1f2b9c10"
	otherCredential = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.do(t, call{method: "GET", path: "/v1/health"})
	r.wantStatus(t, http.StatusOK)
	if len(r.body) != 0 {
		t.Errorf("health body %q, want empty", r.body)
	}
	r.conforms(t)
}

func TestJWKSPublishesTheSignerKeys(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.do(t, call{method: "GET", path: tokens.JWKSPath})
	r.wantStatus(t, http.StatusOK)
	r.conforms(t)
	set, err := tokens.ParseJWKS(r.body)
	must(t, err)
	if !slices.Equal(set.IDs(), s.Signer.Keys().IDs()) {
		t.Errorf("JWKS kids %v, want %v", set.IDs(), s.Signer.Keys().IDs())
	}
}

func TestUnknownPathIs404JSON(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, c := range []call{
		{method: "GET", path: "/"},
		{method: "GET", path: "/v1"},
		{method: "GET", path: "/v1/nothing"},
		{method: "POST", path: "/v1/networks/x/y/z", body: "{}"},
		{method: "GET", path: "/v1/tenants/" + otherID + "/unknown"},
		{method: "GET", path: "/healthz"}, // the runtime's, not the API's
	} {
		s.do(t, c).wantError(t, http.StatusNotFound, "not found")
	}
}

func TestWrongMethodIs405JSONWithAllow(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, c := range []struct {
		method, path string
		allow        []string
	}{
		{"POST", "/v1/health", []string{"GET", "HEAD"}},
		{"DELETE", "/.well-known/jwks.json", []string{"GET", "HEAD"}},
		{"GET", "/v1/verification-codes", []string{"POST"}},
		{"GET", "/v1/networks", []string{"POST"}},
		{"PUT", "/v1/me", []string{"GET", "HEAD"}},
		{"PATCH", "/v1/tenants/" + otherID, []string{"DELETE"}},
		{"GET", "/v1/auth/logout", []string{"POST"}},
		{"POST", "/v1/networks/" + otherID + "/daemons", []string{"GET", "HEAD"}},
	} {
		r := s.do(t, call{method: c.method, path: c.path})
		r.wantError(t, http.StatusMethodNotAllowed, "method not allowed")
		var allow []string
		for a := range strings.SplitSeq(r.header.Get("Allow"), ",") {
			allow = append(allow, strings.TrimSpace(a))
		}
		slices.Sort(allow)
		if !slices.Equal(allow, c.allow) {
			t.Errorf("%s %s: Allow %q, want %v", c.method, c.path, r.header.Get("Allow"), c.allow)
		}
	}
}

// Every route answers something other than 404/405 for its own method:
// the routing table is the document's.
func TestEveryRouteIsRouted(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, rt := range routes {
		r := s.do(t, call{method: rt.method, path: rt.path})
		if r.status == http.StatusNotFound && strings.Contains(string(r.body), `"not found"`) || r.status == http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d %s: not routed", rt.method, rt.path, r.status, r.body)
		}
	}
}

// Each request gets an id, in its answer and in its one request log line,
// which names the route pattern, never the path (it holds ids), and
// nothing from headers or body.
func TestRequestLog(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	token := s.userToken(t, tenantA)
	r := s.do(t, call{method: "GET", path: "/v1/tenants/" + otherID + "/networks", bearer: token})
	r.wantError(t, http.StatusForbidden, "not your tenant")
	id := r.header.Get("X-Request-Id")
	if id == "" {
		t.Fatal("no X-Request-Id")
	}
	r2 := s.do(t, call{method: "GET", path: "/nowhere"})
	if id2 := r2.header.Get("X-Request-Id"); id2 == "" || id2 == id {
		t.Fatalf("second request id %q (first %q)", id2, id)
	}

	var line map[string]any
	for _, l := range s.Logs.Lines(t) {
		if l["msg"] == "request" && l["request_id"] == id {
			if line != nil {
				t.Fatalf("two request lines for %s", id)
			}
			line = l
		}
	}
	if line == nil {
		t.Fatalf("no request line for %s in\n%s", id, s.Logs.String())
	}
	want := map[string]any{"method": "GET", "route": "GET /v1/tenants/{id}/networks", "status": float64(403)}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("request line %s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["duration"]; !ok {
		t.Error("request line has no duration")
	}
	all := s.Logs.String()
	for _, secret := range []string{token, otherID, tenantA} {
		if strings.Contains(all, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
	var unmatched bool
	for _, l := range s.Logs.Lines(t) {
		unmatched = unmatched || l["msg"] == "request" && l["request_id"] == r2.header.Get("X-Request-Id") && l["route"] == "unmatched"
	}
	if !unmatched {
		t.Error("an unrouted request is not logged with route \"unmatched\"")
	}
}

// Unknown JSON fields are ignored (the contract's clients may send more).
func TestUnknownFieldsIgnored(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	// Only email is missing: the unknown fields did not stop decoding.
	r := s.do(t, call{method: "POST", path: "/v1/verification-codes",
		body: map[string]any{"purpose": "signup", "extra": 1, "nested": map[string]any{"a": []int{1}}}})
	r.wantError(t, http.StatusBadRequest, `missing field "email"`)
}

func decodeJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%q: %v", b, err)
	}
}
