package tenantsapi_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/pop"
)

// proof returns the proof-of-possession headers of a request signed by
// key as method, path and body at at: to send with a call that differs
// from what was signed.
func proof(key ed25519.PrivateKey, method, path string, body []byte, at time.Time) http.Header {
	ts, sig := pop.Sign(key, method, path, at, body)
	return http.Header{pop.HeaderTimestamp: {ts}, pop.HeaderSignature: {sig}}
}

// The proof of possession end to end, on POST /v1/token (whose subject
// is the body's key) and on an authenticated daemon route (whose subject
// is the token's): its 60-second window to the second, in both
// directions; a timestamp that is not one; a signature over another
// request; a replay; and, since the replay key covers the method and the
// path, different requests in one second with one body (contract §3.4,
// where the reference implementation refuses the second). What
// auth_test.go covers already (no proof, another key, 61 s on
// POST /v1/token, a replay of a refused request) is not repeated.
func TestContractClockSkewAndReplay(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	daemon := newDaemon(t)
	s.enroll(t, s.issue(t, "olga@example.com", "enrollment"), daemon)
	token, _ := s.mint(t, daemon)
	tokenBody, err := json.Marshal(map[string]string{"public_key": publicKey(daemon)})
	must(t, err)

	type route struct {
		name string
		call call
		// ok is the handler's answer once the proof is accepted.
		ok int
		// inAuthTest: the refused skews auth_test.go runs here already.
		inAuthTest bool
	}
	routes := []route{
		{"POST /v1/token", call{method: "POST", path: "/v1/token", body: tokenBody}, http.StatusOK, true},
		{"GET /v1/availability", call{method: "GET", path: "/v1/availability?slug=olgas-home", bearer: token}, http.StatusOK, false},
		// The daemon group: with a tenant-scoped token the handler
		// refuses the removal, after the proof was taken.
		{"DELETE /v1/networks/{id}/daemons/self", call{method: "DELETE", path: "/v1/networks/" + otherID + "/daemons/self", bearer: token},
			http.StatusForbidden, false},
	}
	// accepted checks that the proof was taken: the request got to its
	// handler, which answered want.
	accepted := func(what string, r *reply, want int) {
		t.Helper()
		if r.status != want {
			t.Errorf("%s: %d %s, want the proof accepted and %d", what, r.status, r.shown(), want)
		}
		r.conforms(t)
	}
	refused := func(what string, r *reply, msg string) {
		t.Helper()
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401 %q", what, r.status, r.shown(), msg)
			return
		}
		r.wantError(t, http.StatusUnauthorized, msg)
		r.conforms(t)
	}
	const badTimestamp, badSignature, replayed = "missing or invalid X-Wardnet-Timestamp", "invalid request signature", "replayed request"

	for _, rt := range routes {
		body, _ := rt.call.body.([]byte)
		// The window, to the second: |skew| ≤ 60 s.
		for _, c := range []struct {
			skew time.Duration
			ok   bool
		}{
			{-61 * time.Second, false},
			{61 * time.Second, false},
			{-60 * time.Second, true},
			{60 * time.Second, true},
		} {
			if rt.inAuthTest && !c.ok {
				continue
			}
			what := rt.name + " signed " + c.skew.String() + " off"
			r := s.inOneSecond(func() *reply {
				cl := rt.call
				cl.sign, cl.signSkew = daemon, c.skew
				return s.do(t, cl)
			})
			if c.ok {
				accepted(what, r, rt.ok)
			} else {
				refused(what, r, badTimestamp)
			}
		}

		// A timestamp that is not one is as good as none, even under a
		// signature over it.
		now := s.Clock.Now()
		for _, c := range []struct {
			name   string
			header http.Header
		}{
			{"no timestamp", http.Header{pop.HeaderTimestamp: nil}},
			{"empty timestamp", http.Header{pop.HeaderTimestamp: {""}}},
			{"non-numeric timestamp", signedOver(daemon, rt.call, body, "now")},
			{"fractional timestamp", signedOver(daemon, rt.call, body, strconv.FormatInt(now.Unix(), 10)+".0")},
			{"hex timestamp", signedOver(daemon, rt.call, body, "0x"+strconv.FormatInt(now.Unix(), 16))},
			{"two timestamps", http.Header{pop.HeaderTimestamp: {strconv.FormatInt(now.Unix(), 10), strconv.FormatInt(now.Unix(), 10)}}},
		} {
			cl := rt.call
			cl.sign, cl.header = daemon, c.header
			refused(rt.name+" with "+c.name, s.do(t, cl), badTimestamp)
		}

		// A signature over another request: another path, query, method
		// or body.
		other := map[string]http.Header{
			"another path":   proof(daemon, rt.call.method, "/v1/networks", body, now),
			"another method": proof(daemon, "PUT", rt.call.path, body, now),
			"another body":   proof(daemon, rt.call.method, rt.call.path, []byte(string(body)+" "), now),
		}
		if rt.call.method == "GET" {
			other["another query"] = proof(daemon, "GET", "/v1/availability?slug=olgas-cabin", body, now)
		}
		for name, h := range other {
			cl := rt.call
			cl.header = h
			refused(rt.name+" signed over "+name, s.do(t, cl), badSignature)
		}
	}

	// A request that was accepted and answered is not accepted again:
	// the replay of a successful mint gets no token, at once or once
	// its timestamp has left the window (then it is simply stale).
	s.Clock.Advance(time.Second)
	first := s.do(t, call{method: "POST", path: "/v1/token", body: tokenBody, sign: daemon})
	accepted("token request", first, http.StatusOK)
	again := call{method: "POST", path: "/v1/token", body: tokenBody, header: first.req.Header.Clone()}
	refused("the same token request again", s.do(t, again), replayed)
	s.Clock.Advance(pop.Window + time.Second)
	refused("the same token request after the window", s.do(t, again), badTimestamp)

	// Different requests in one second with one body are not replays of
	// each other: other paths and queries, another method, and the token
	// request's body sent to another route (its answer, 400, comes from
	// the handler: the proof was taken).
	now := s.Clock.Now()
	for _, c := range []struct {
		method, path string
		body         []byte
		bearer       string
		want         int
	}{
		{"GET", "/v1/availability?slug=olgas-home", nil, token, http.StatusOK},
		{"GET", "/v1/availability?slug=olgas-cabin", nil, token, http.StatusOK},
		{"DELETE", "/v1/networks/" + otherID + "/daemons/self", nil, token, http.StatusForbidden},
		{"POST", "/v1/token", tokenBody, "", http.StatusOK},
		{"POST", "/v1/networks", tokenBody, token, http.StatusBadRequest},
	} {
		r := s.do(t, call{method: c.method, path: c.path, body: c.body, bearer: c.bearer,
			header: proof(daemon, c.method, c.path, c.body, now)})
		if r.status != c.want {
			t.Errorf("%s %s in the same second with the same body: %d %s, want %d", c.method, c.path, r.status, r.shown(), c.want)
		}
		r.conforms(t)
	}
}

// signedOver returns proof headers whose timestamp is ts, not a number,
// with a signature over exactly that timestamp: what a client that sent
// the header verbatim would sign.
func signedOver(key ed25519.PrivateKey, c call, body []byte, ts string) http.Header {
	sig := ed25519.Sign(key, pop.Message(c.method, c.path, ts, body))
	return http.Header{pop.HeaderTimestamp: {ts}, pop.HeaderSignature: {base64.StdEncoding.EncodeToString(sig)}}
}
