package ddnsapi_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

type ipBody struct {
	IP string `json:"ip"`
}

type valuesBody struct {
	Values []string `json:"values"`
}

func addr(s string) report.AddressReported {
	return report.AddressReported{Address: netip.MustParseAddr(s)}
}

// A network's daemon reports its IPv4 and IPv6 addresses: each new one is
// an event on the network's dns aggregate, and wakes the reconciler; the
// same address again is answered 204 and changes nothing.
func TestReportIP(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := s.enroll("alice@example.com").register("alices-lab", region)

	d.call("PUT", "/v1/ip", ipBody{"203.0.114.7"}).want(t, 204)
	d.call("PUT", "/v1/ip", ipBody{"203.0.114.7"}).want(t, 204)
	d.call("PUT", "/v1/ip", ipBody{"2a01:4f8::1"}).want(t, 204)
	d.call("PUT", "/v1/ip", ipBody{"2A01:4F8:0::1"}).want(t, 204) // the same address, spelled otherwise
	d.call("PUT", "/v1/ip", ipBody{"203.0.114.8"}).want(t, 204)

	want := []events.Payload{addr("203.0.114.7"), addr("2a01:4f8::1"), addr("203.0.114.8")}
	if got := s.reports(d.network); !reflect.DeepEqual(got, want) {
		t.Fatalf("reports %v, want %v", got, want)
	}
	// The request log names the route, never the address or the token.
	logs := s.logs.String()
	if !strings.Contains(logs, `"route":"PUT /v1/ip"`) {
		t.Errorf("no request log line for PUT /v1/ip:\n%s", logs)
	}
	for _, secret := range []string{"203.0.114.7", "2a01:4f8::1", d.token()} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// Addresses that are not public, and anything that is not an address, are
// refused with a reason, and append nothing.
func TestReportIPRefusesBadAddresses(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := s.enroll("bob@example.com").register("bobs-lab", region)
	const (
		notAnIP   = "ip must be an IPv4 address (dotted quad) or an IPv6 address"
		notPublic = "ip must be a public address, not private, loopback, link-local, multicast, documentation, shared (100.64.0.0/10) or reserved"
		mapped    = "ip must be reported as an IPv4 address, not IPv4-mapped IPv6"
	)
	for _, tc := range []struct{ ip, msg string }{
		{"10.1.2.3", notPublic},        // private
		{"172.16.0.1", notPublic},      // private
		{"192.168.1.1", notPublic},     // private
		{"127.0.0.1", notPublic},       // loopback
		{"::1", notPublic},             // loopback
		{"169.254.1.1", notPublic},     // link-local
		{"fe80::1", notPublic},         // link-local
		{"100.64.0.1", notPublic},      // shared (CGNAT)
		{"192.0.2.1", notPublic},       // documentation
		{"2001:db8::1", notPublic},     // documentation
		{"224.0.0.1", notPublic},       // multicast
		{"255.255.255.255", notPublic}, // broadcast
		{"240.0.0.1", notPublic},       // reserved
		{"0.0.0.0", notPublic},         // unspecified
		{"::", notPublic},              // unspecified
		{"fd00::1", notPublic},         // unique local
		{"::ffff:8.8.8.8", mapped},     // IPv4-mapped
		{"::ffff:10.0.0.1", mapped},    // IPv4-mapped and private
		{"fe80::1%eth0", notAnIP},      // zone
		{"garbage", notAnIP},           //
		{"", notAnIP},                  //
		{"1.2.3", notAnIP},             //
		{"01.2.3.4", notAnIP},          // leading zero
		{"8.8.8.8/32", notAnIP},        // a prefix
		{" 8.8.8.8", notAnIP},          // not trimmed
		{strings.Repeat("1", 100), notAnIP},
	} {
		d.call("PUT", "/v1/ip", ipBody{tc.ip}).wantError(t, 400, tc.msg)
	}
	// Malformed requests.
	d.call("PUT", "/v1/ip", map[string]any{"ip": 42}).wantError(t, 400, `field "ip" must be a string`)
	d.call("PUT", "/v1/ip", map[string]any{}).wantError(t, 400, `missing field "ip"`)
	d.call("PUT", "/v1/ip", map[string]any{"ip": nil}).wantError(t, 400, `missing field "ip"`)
	d.call("PUT", "/v1/ip", `["8.8.8.8"]`).wantError(t, 400, "request body must be a JSON object")
	d.call("PUT", "/v1/ip", `{"ip":`).wantError(t, 400, "")
	d.call("PUT", "/v1/ip", nil).wantError(t, 400, "request body must be a JSON object")

	if got := s.reports(d.network); len(got) != 0 {
		t.Fatalf("refused reports appended %v", got)
	}
}

// The ACME challenge: 1 to 4 values of 1 to 255 printable bytes, replaced
// wholesale, cleared idempotently.
func TestChallenge(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := s.enroll("carol@example.com").register("carols-lab", region)
	v1, v2 := "gfj9Xq-Jc7oWvTa9jq8rCwYbQfL_xbyC2Fz_-Tqap1Q", "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"

	d.call("PUT", "/v1/acme-challenge", valuesBody{[]string{v1, v2}}).want(t, 204)
	d.call("PUT", "/v1/acme-challenge", valuesBody{[]string{v2, v1}}).want(t, 204) // same values
	d.call("PUT", "/v1/acme-challenge", valuesBody{[]string{v1}}).want(t, 204)
	d.call("DELETE", "/v1/acme-challenge", nil).want(t, 204)
	d.call("DELETE", "/v1/acme-challenge", nil).want(t, 204) // idempotent
	d.call("PUT", "/v1/acme-challenge", valuesBody{[]string{"a", "b", "c", strings.Repeat("d", 255)}}).want(t, 204)

	const (
		count = "values must hold 1 to 4 challenge values"
		size  = "each challenge value must be 1 to 255 bytes"
		chars = "challenge values must be printable ASCII without quotes or backslashes"
	)
	for _, tc := range []struct {
		body any
		msg  string
	}{
		{valuesBody{[]string{}}, count},
		{valuesBody{[]string{"a", "b", "c", "d", "e"}}, count},
		{valuesBody{[]string{strings.Repeat("x", 256)}}, size},
		{valuesBody{[]string{""}}, size},
		{valuesBody{[]string{"ok", ""}}, size},
		{`{"values":["ok",null]}`, size},
		{valuesBody{[]string{`say "hi"`}}, chars},
		{valuesBody{[]string{`back\slash`}}, chars},
		{valuesBody{[]string{"new\nline"}}, chars},
		{valuesBody{[]string{"é"}}, chars},
		{map[string]any{}, `missing field "values"`},
		{`{"values":null}`, `missing field "values"`},
		{`{"values":"v"}`, `field "values" must be an array of strings`},
		{`{"values":[1]}`, `field "values" must be an array of strings`},
	} {
		d.call("PUT", "/v1/acme-challenge", tc.body).wantError(t, 400, tc.msg)
	}

	want := []events.Payload{
		report.ChallengeSet{Values: []string{v2, v1}}, // stored sorted
		report.ChallengeSet{Values: []string{v1}},
		report.ChallengeCleared{},
		report.ChallengeSet{Values: []string{"a", "b", "c", strings.Repeat("d", 255)}},
	}
	if got := s.reports(d.network); !reflect.DeepEqual(got, want) {
		t.Fatalf("reports %v, want %v", got, want)
	}
}

// Who may call: a network-scoped daemon token for ddns with a fresh proof
// of possession, and nobody else.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	pending := s.enroll("dave@example.com") // enrolled, no network yet
	d := s.enroll("erin@example.com").register("erins-lab", region)
	body := ipBody{"203.0.114.9"}

	// No token, a malformed one, a token without its proof.
	s.do(request{method: "PUT", path: "/v1/ip", body: body}).wantError(t, 401, "authentication required")
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: "not.a.jwt", sign: d.key}).wantError(t, 401, "invalid token")
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: d.token()}).wantError(t, 401, pop.ErrTimestamp.Error())
	// Signed by another key than the token's.
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: d.token(), sign: pending.key}).wantError(t, 401, pop.ErrSignature.Error())
	// Signed too long ago.
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: d.token(), sign: d.key, at: time.Now().Add(-2 * time.Minute)}).
		wantError(t, 401, pop.ErrTimestamp.Error())

	// A tenant-scoped token: the daemon has no network to report for.
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/v1/ip", body},
		{"PUT", "/v1/acme-challenge", valuesBody{[]string{"v"}}},
		{"DELETE", "/v1/acme-challenge", nil},
	} {
		s.do(request{method: c.method, path: c.path, body: c.body, bearer: pending.token(), sign: pending.key, at: pending.nextTS()}).
			wantError(t, 403, "a network-scoped token is required")
	}

	// Something shaped like a tenant-scoped token that tenants did not sign
	// is no token at all.
	forged := "eyJhbGciOiJFZERTQSJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"tenants","pt":"daemon","tid":"t"}`)) + ".c2ln"
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: forged, sign: pending.key}).wantError(t, 401, "invalid token")

	// A user token is not addressed to ddns.
	user := s.signUp("erin@example.com")
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: user.token}).wantError(t, 401, "invalid token")

	// A request replayed as it was sent.
	at := d.nextTS()
	tok := d.token()
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: tok, sign: d.key, at: at}).want(t, 204)
	s.do(request{method: "PUT", path: "/v1/ip", body: body, bearer: tok, sign: d.key, at: at}).wantError(t, 401, "replayed request")

	if got := s.allReports(); len(got) != 1 || len(got[d.network]) != 1 {
		t.Fatalf("reports %v, want the one accepted report of %s", got, d.network)
	}
}

// One network's token can never write another network's reports: the
// network is the token's, whatever the request says, and there is no id
// in any path.
func TestNetworkIsAlwaysTheTokens(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	a := s.enroll("frank@example.com").register("franks-lab", region)
	b := s.enroll("grace@example.com").register("graces-lab", region)

	a.call("PUT", "/v1/ip", ipBody{"203.0.114.10"}).want(t, 204)
	b.call("PUT", "/v1/ip", ipBody{"203.0.114.11"}).want(t, 204)
	// A's daemon names B's network every way a request could.
	a.call("PUT", "/v1/ip?network="+b.network, map[string]string{"ip": "203.0.114.12", "network_id": b.network, "net": b.network}).want(t, 204)
	s.do(request{method: "PUT", path: "/v1/acme-challenge", body: map[string]any{"values": []string{"from-a"}, "network": b.network},
		bearer: a.token(), sign: a.key, at: a.nextTS(), header: http.Header{"X-Network-Id": {b.network}}}).want(t, 204)
	a.call("PUT", "/v1/networks/"+b.network+"/ip", ipBody{"203.0.114.13"}).wantError(t, 404, "not found")

	got := s.allReports()
	wantA := []events.Payload{addr("203.0.114.10"), addr("203.0.114.12"), report.ChallengeSet{Values: []string{"from-a"}}}
	wantB := []events.Payload{addr("203.0.114.11")}
	if len(got) != 2 || !reflect.DeepEqual(got[a.network], wantA) || !reflect.DeepEqual(got[b.network], wantB) {
		t.Fatalf("reports %v;\nwant %s: %v and %s: %v", got, a.network, wantA, b.network, wantB)
	}
}

// Reports go only to networks this region serves, from daemons bound to
// them, while they are live.
func TestNetworkMustBeLiveHereAndBound(t *testing.T) {
	t.Parallel()
	s := newStack(t)

	// A network of another region.
	far := s.enroll("heidi@example.com").register("heidis-lab", otherRegion)
	far.call("PUT", "/v1/ip", ipBody{"203.0.114.20"}).wantError(t, 403, "network is not served by this region")
	far.call("PUT", "/v1/acme-challenge", valuesBody{[]string{"v"}}).wantError(t, 403, "network is not served by this region")

	// A daemon that left its network keeps its token for up to an hour;
	// it no longer reports for the network.
	gone := s.enroll("ivan@example.com").register("ivans-lab", region)
	tok := gone.token()
	must(t, gone.agent.Teardown(t.Context()))
	s.do(request{method: "PUT", path: "/v1/ip", body: ipBody{"203.0.114.21"}, bearer: tok, sign: gone.key, at: gone.nextTS()}).
		wantError(t, 403, "daemon is not bound to this network")

	// A network being deprovisioned: no new address or challenge, while
	// clearing a challenge is harmless.
	d := s.enroll("judy@example.com").register("judys-lab", region)
	d.call("PUT", "/v1/ip", ipBody{"203.0.114.22"}).want(t, 204)
	tok = d.token()
	owner := s.signUp("judy@example.com")
	owner.send("DELETE", "/v1/tenants/"+d.tenant+"/networks/judys-lab", nil, nil)
	testenv.Eventually(t, 30*time.Second, func() error {
		// The address it has: accepted without an event until then.
		if r := s.do(request{method: "PUT", path: "/v1/ip", body: ipBody{"203.0.114.22"}, bearer: tok, sign: d.key, at: d.nextTS()}); r.status != 403 {
			return fmt.Errorf("the network is not deprovisioning yet: status %d", r.status)
		}
		return nil
	})
	s.do(request{method: "PUT", path: "/v1/ip", body: ipBody{"203.0.114.23"}, bearer: tok, sign: d.key, at: d.nextTS()}).
		wantError(t, 403, "network is being deprovisioned")
	s.do(request{method: "PUT", path: "/v1/acme-challenge", body: valuesBody{[]string{"v"}}, bearer: tok, sign: d.key, at: d.nextTS()}).
		wantError(t, 409, "network is not live: it is being deprovisioned")
	s.do(request{method: "DELETE", path: "/v1/acme-challenge", bearer: tok, sign: d.key, at: d.nextTS()}).want(t, 204)

	got := s.allReports()
	if len(got) != 1 || !reflect.DeepEqual(got[d.network], []events.Payload{addr("203.0.114.22")}) {
		t.Fatalf("reports %v, want only judy's first address", got)
	}
}

// What every request gets before routing: health, JSON 404 and 405, the
// body cap, a request id.
func TestRoutingAndLimits(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	d := s.enroll("mallory@example.com").register("mallorys-lab", region)

	r := s.do(request{method: "GET", path: "/v1/health"})
	r.want(t, 200)
	if len(r.body) != 0 || r.header.Get("X-Request-Id") == "" {
		t.Errorf("health: body %s, request id %q", r.shown(), r.header.Get("X-Request-Id"))
	}
	s.do(request{method: "GET", path: "/v1/nothing"}).wantError(t, 404, "not found")
	r = s.do(request{method: "POST", path: "/v1/ip"})
	r.wantError(t, 405, "method not allowed")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "PUT") {
		t.Errorf("Allow %q", allow)
	}
	// The stock clients' routes, by method.
	for _, c := range []struct{ method, path, allow string }{
		{"POST", "/nic/update", "GET"},
		{"GET", "/register", "POST"},
		{"PUT", "/update", "POST"},
	} {
		r = s.do(request{method: c.method, path: c.path})
		r.wantError(t, 405, "method not allowed")
		if allow := r.header.Get("Allow"); !strings.Contains(allow, c.allow) {
			t.Errorf("%s %s: Allow %q", c.method, c.path, allow)
		}
	}
	s.do(request{method: "POST", path: "/update", header: headerOf("X-Api-User", "x"), body: strings.Repeat("x", 1<<20+1)}).
		wantError(t, 413, "request body exceeds 1 MiB limit")
	big := `{"ip":"203.0.114.30","pad":"` + strings.Repeat("x", 1<<20) + `"}`
	d.call("PUT", "/v1/ip", big).wantError(t, 413, "request body exceeds 1 MiB limit")
	s.do(request{method: "PUT", path: "/v1/ip", body: big}).wantError(t, 413, "request body exceeds 1 MiB limit")
	if got := s.reports(d.network); len(got) != 0 {
		t.Fatalf("reports %v", got)
	}
}
