package tenantsapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/sessioncookie"
)

// sessionCookie is a request cookie with value v.
func sessionCookie(v string) *http.Cookie { return &http.Cookie{Name: sessioncookie.Name, Value: v} }

// wellFormedSession is the plaintext of a session cookie for a session
// that does not exist.
const wellFormedSession = tenantA + ".0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// badCookies are cookies the API must not take for a session, each with
// the 401 body of POST /v1/auth/token.
func badCookies(t *testing.T, s *stack) []struct {
	name    string
	cookies []*http.Cookie
	want    string
} {
	t.Helper()
	other, err := sessioncookie.NewSealer(randomBytes(t, sessioncookie.MinKeyLen))
	must(t, err)
	good := s.Cookies.Seal(wellFormedSession)
	tampered := []byte(good)
	if i := len(tampered) / 2; tampered[i] == 'A' { // another base64url character
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	return []struct {
		name    string
		cookies []*http.Cookie
		want    string
	}{
		{"no cookie", nil, "no session"},
		{"empty cookie", []*http.Cookie{sessionCookie("")}, "no session"},
		{"another cookie only", []*http.Cookie{{Name: "wardnet_oauth", Value: good}}, "no session"},
		{"plaintext", []*http.Cookie{sessionCookie(wellFormedSession)}, "invalid session"},
		{"garbage", []*http.Cookie{sessionCookie("AAAA")}, "invalid session"},
		{"tampered", []*http.Cookie{sessionCookie(string(tampered))}, "invalid session"},
		{"truncated", []*http.Cookie{sessionCookie(good[:len(good)-4])}, "invalid session"},
		{"another key", []*http.Cookie{sessionCookie(other.Seal(wellFormedSession))}, "invalid session"},
		{"not a session token", []*http.Cookie{sessionCookie(s.Cookies.Seal("hello"))}, "invalid session"},
		{"session id not an id", []*http.Cookie{sessionCookie(s.Cookies.Seal("t-1." + strings.Repeat("a", 64)))}, "invalid session"},
	}
}

// The cookie exchange answers 401 for a missing cookie and for any cookie
// this service did not seal, before asking the tenants.
func TestExchangeWithoutAGoodCookieIs401(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, c := range badCookies(t, s) {
		r := s.do(t, call{method: "POST", path: "/v1/auth/token", cookies: c.cookies})
		r.wantError(t, http.StatusUnauthorized, c.want)
		r.conforms(t)
		if r.cookie() != nil {
			t.Errorf("%s: refused exchange set a cookie", c.name)
		}
	}
}

// Logging out is idempotent: with no cookie, or one that opens to
// nothing, it still answers 204 and clears the cookie.
func TestLogoutWithoutAGoodCookieClearsIt(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for _, c := range badCookies(t, s) {
		r := s.do(t, call{method: "POST", path: "/v1/auth/logout", cookies: c.cookies})
		r.wantStatus(t, http.StatusNoContent)
		r.conforms(t)
		wantCleared(t, r)
	}
}

// wantCleared checks that r expires the session cookie with the
// attributes it was set with.
func wantCleared(t testing.TB, r *reply) {
	t.Helper()
	c := r.cookie()
	if c == nil {
		t.Fatalf("%s %s: no Set-Cookie %s", r.req.Method, r.req.URL.Path, sessioncookie.Name)
	}
	if c.Value != "" || c.MaxAge >= 0 {
		t.Errorf("cookie not cleared: %q", r.header.Get("Set-Cookie"))
	}
	wantCookieAttributes(t, c, r.header.Get("Set-Cookie"))
}

func wantCookieAttributes(t testing.TB, c *http.Cookie, raw string) {
	t.Helper()
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("session cookie attributes: %q, want HttpOnly; Secure; SameSite=Lax; Path=/", raw)
	}
}
