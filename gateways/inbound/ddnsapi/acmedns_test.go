package ddnsapi_test

import (
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nrdcg/goacmedns"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

// account is acme-dns's /register answer.
type account struct {
	Username   string   `json:"username"`
	Password   string   `json:"password"`
	Fulldomain string   `json:"fulldomain"`
	Subdomain  string   `json:"subdomain"`
	Allowfrom  []string `json:"allowfrom"`
}

// register registers an acme-dns account with an update credential and
// waits until the ddns side has it.
func (o *owner) register(c credential) account {
	o.s.t.Helper()
	a := o.registerAtOnce(c)
	o.sync()
	return a
}

// registerAtOnce registers an acme-dns account with an update credential.
func (o *owner) registerAtOnce(c credential) account {
	o.s.t.Helper()
	r := o.s.do(request{method: "POST", path: "/register", header: headerOf("Authorization", basic(c.Username, c.Secret))})
	r.want(o.s.t, http.StatusCreated)
	var a account
	decodeJSON(o.s.t, r.body, &a)
	return a
}

// acmeUpdate is POST /update as an acme-dns client sends it.
func (s *stack) acmeUpdate(user, key string, body any) *reply {
	s.t.Helper()
	h := http.Header{}
	if user != "" {
		h.Set("X-Api-User", user)
	}
	if key != "" {
		h.Set("X-Api-Key", key)
	}
	return s.do(request{method: "POST", path: "/update", body: body, header: h})
}

type txtBody struct {
	Subdomain string `json:"subdomain"`
	TXT       string `json:"txt"`
}

// acmeTXT is a well-formed DNS-01 value made of c.
func acmeTXT(c string) string { return strings.Repeat(c, 43) }

var acmePasswordRE = regexp.MustCompile(`^[A-Za-z0-9_-]{40}$`)

// An ACME client registers with the network's update credential and
// publishes its values: the last two stay, so that a name and its wildcard
// validate together.
func TestACMEDNS(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("xena@example.com", "xenas-lab", region)
	c := o.issue()
	a := o.register(c)
	if _, err := ids.Parse[ids.CredentialID](a.Username); err != nil || !acmePasswordRE.MatchString(a.Password) ||
		a.Fulldomain != "_acme-challenge."+o.host() || a.Subdomain != o.slug || a.Allowfrom == nil || len(a.Allowfrom) != 0 {
		t.Fatalf("account %+v", a)
	}

	for _, v := range []string{"a", "b", "b", "c"} {
		r := s.acmeUpdate(a.Username, a.Password, txtBody{Subdomain: o.slug, TXT: acmeTXT(v)})
		r.want(t, http.StatusOK)
		var got struct{ TXT string }
		decodeJSON(t, r.body, &got)
		if got.TXT != acmeTXT(v) {
			t.Fatalf("answer %s", r.shown())
		}
	}
	set := func(vs ...string) report.AccountChallengeSet {
		return report.AccountChallengeSet{CredentialID: ids.CredentialID(a.Username), Values: vs}
	}
	want := []events.Payload{
		set(acmeTXT("a")),
		set(acmeTXT("a"), acmeTXT("b")),
		set(acmeTXT("b"), acmeTXT("c")),
	}
	if got := s.reports(o.network()); !reflect.DeepEqual(got, want) {
		t.Fatalf("reports %v, want %v", got, want)
	}

	// The owner sees the account among the network's credentials, and a
	// revoked one stops working at once.
	var list []struct {
		CredentialID string `json:"credential_id"`
		Kind         string `json:"kind"`
	}
	o.person.send(http.MethodGet, o.credentialsPath(), nil, &list)
	if len(list) != 2 || list[1].CredentialID != a.Username || list[1].Kind != "acme_dns" {
		t.Fatalf("credentials %+v, want the update credential and the account", list)
	}
	o.revoke(a.Username)
	s.acmeUpdate(a.Username, a.Password, txtBody{Subdomain: o.slug, TXT: acmeTXT("d")}).wantError(t, 401, "forbidden")
	if got := s.reports(o.network()); len(got) != 3 {
		t.Fatalf("%d reports after the revocation", len(got))
	}

	logs := s.logs.String()
	for _, secret := range []string{c.Secret, a.Password, acmeTXT("a")} {
		if strings.Contains(logs, secret) {
			t.Error("the log holds a secret or a value")
		}
	}
}

// /register wants the network's update credential; its body is acme-dns's.
func TestACMEDNSRegister(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("yara@example.com", "yaras-lab", region)
	c := o.issue()

	r := s.do(request{method: "POST", path: "/register"})
	r.wantError(t, 401, "forbidden")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("no Basic challenge: %q", r.header.Get("WWW-Authenticate"))
	}
	for _, auth := range []string{basic(c.Username, "wrong"), basic("nobody-aaaaaaaa", c.Secret), "Bearer " + c.Secret} {
		s.do(request{method: "POST", path: "/register", header: headerOf("Authorization", auth)}).wantError(t, 401, "forbidden")
	}
	// An account registers no account.
	a := o.register(c)
	s.do(request{method: "POST", path: "/register", header: headerOf("Authorization", basic(a.Username, a.Password))}).
		wantError(t, 401, "forbidden")

	auth := headerOf("Authorization", basic(c.Username, c.Secret))
	s.do(request{method: "POST", path: "/register", body: `{"allowfrom":`, header: auth}).wantError(t, 400, "malformed_json_payload")
	// allowfrom is taken and not enforced: the answer says so.
	r = s.do(request{method: "POST", path: "/register", body: map[string]any{"allowfrom": []string{"192.0.2.0/24"}}, header: auth})
	r.want(t, http.StatusCreated)
	if r.header.Get("Cache-Control") != "no-store" || !strings.Contains(string(r.body), `"allowfrom":[]`) {
		t.Errorf("answer %q with Cache-Control %q", r.body, r.header.Get("Cache-Control"))
	}
	// Five accounts at most (two so far).
	for range 3 {
		s.do(request{method: "POST", path: "/register", header: auth}).want(t, http.StatusCreated)
	}
	s.do(request{method: "POST", path: "/register", header: auth}).wantError(t, 409, "account_limit")
}

// /update refuses as acme-dns does: 401 forbidden for anything wrong with
// the account, its key or the subdomain (a body that does not decode
// included), 400 bad_txt for a value that is not one.
func TestACMEDNSUpdateRefusals(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("zoe@example.com", "zoes-lab", region)
	other := s.newOwner("abe@example.com", "abes-lab", region)
	c := o.issue()
	a, theirs := o.register(c), other.register(other.issue())
	good := txtBody{Subdomain: o.slug, TXT: acmeTXT("g")}

	for _, tc := range []struct {
		name, user, key string
		body            any
	}{
		{"no headers", "", "", good},
		{"no key", a.Username, "", good},
		{"a username that is no UUID", "zoes-lab", a.Password, good},
		{"a key of 39", a.Username, a.Password[1:], good},
		{"a key of 41", a.Username, a.Password + "x", good},
		{"a wrong key", a.Username, strings.Repeat("k", 40), good},
		{"another account's key", a.Username, theirs.Password, good},
		{"an unknown account", ids.New[ids.CredentialID]().String(), a.Password, good},
		{"the update credential", c.Username, c.Secret, good},
		{"another network's subdomain", a.Username, a.Password, txtBody{Subdomain: other.slug, TXT: acmeTXT("g")}},
		{"the full name as subdomain", a.Username, a.Password, txtBody{Subdomain: o.host(), TXT: acmeTXT("g")}},
		{"no subdomain", a.Username, a.Password, map[string]string{"txt": acmeTXT("g")}},
		{"a body that does not decode", a.Username, a.Password, `{"subdomain":`},
		{"no body", a.Username, a.Password, nil},
		{"another account for this subdomain", theirs.Username, theirs.Password, good},
	} {
		r := s.acmeUpdate(tc.user, tc.key, tc.body)
		if r.status != 401 || string(r.body) != "{\"error\":\"forbidden\"}\n" {
			t.Errorf("%s: %d %s, want 401 forbidden", tc.name, r.status, r.shown())
		}
	}
	for _, v := range []string{acmeTXT("g")[1:], acmeTXT("g") + "g", "", acmeTXT("g")[2:] + "==", acmeTXT("g")[1:] + "+"} {
		s.acmeUpdate(a.Username, a.Password, txtBody{Subdomain: o.slug, TXT: v}).wantError(t, 400, "bad_txt")
	}
	if got := s.allReports(); len(got) != 0 {
		t.Fatalf("reports %v", got)
	}
	// The account of the other network works on its own only.
	s.acmeUpdate(theirs.Username, theirs.Password, txtBody{Subdomain: other.slug, TXT: acmeTXT("t")}).want(t, 200)
	if got := s.allReports(); len(got) != 1 || len(got[other.network()]) != 1 {
		t.Fatalf("reports %v, want the other network's one", got)
	}
}

// acme-dns has no rate limit; the stock clients' limits answer 429.
func TestACMEDNSThrottled(t *testing.T) {
	t.Parallel()
	s := newStackWithLimits(t, roomy, ratelimit.Limit{Name: "update", Max: 2, Window: time.Minute})
	o := s.newOwner("bea@example.com", "beas-lab", region)
	a := o.register(o.issue()) // the update credential's first
	s.acmeUpdate(a.Username, a.Password, txtBody{Subdomain: o.slug, TXT: acmeTXT("a")}).want(t, 200)
	s.acmeUpdate(a.Username, a.Password, txtBody{Subdomain: o.slug, TXT: acmeTXT("b")}).want(t, 200)
	r := s.acmeUpdate(a.Username, a.Password, txtBody{Subdomain: o.slug, TXT: acmeTXT("c")})
	r.wantError(t, 429, "too_many_requests")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

// basicOnRegister adds HTTP Basic with an update credential to POST
// /register, which goacmedns sends without credentials (acme-dns's is
// open); other requests go as they are.
type basicOnRegister struct {
	c    credential
	next http.RoundTripper
}

func (b basicOnRegister) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/register" {
		r = r.Clone(r.Context())
		r.SetBasicAuth(b.c.Username, b.c.Secret)
	}
	return b.next.RoundTrip(r)
}

// goacmedns is the acme-dns client of lego's acme-dns provider, on the
// API, registering with update credential c.
func (s *stack) goacmedns(c credential) *goacmedns.Client {
	s.t.Helper()
	client, err := goacmedns.NewClient(s.ddns, goacmedns.WithHTTPClient(&http.Client{
		Transport: basicOnRegister{c: c, next: http.DefaultTransport}, Timeout: 30 * time.Second,
	}))
	must(s.t, err)
	return client
}

// An ACME client registers and updates in one run, as lego does: the
// account works the moment /register has answered, every time. Its
// fulldomain is the name its values go to.
func TestACMEDNSWithGoacmedns(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("gil@example.com", "gils-lab", region)
	client := s.goacmedns(o.issueAtOnce())
	ctx := t.Context()
	for i := range 20 {
		acc, err := client.RegisterAccount(ctx, nil)
		if err != nil {
			t.Fatalf("register %d: %v", i, err)
		}
		if acc.FullDomain != "_acme-challenge."+o.host() || acc.SubDomain != o.slug {
			t.Fatalf("account %d for %q, subdomain %q", i, acc.FullDomain, acc.SubDomain)
		}
		if err := client.UpdateTXTRecord(ctx, acc, acmeTXT(string(rune('a'+i)))); err != nil {
			t.Fatalf("update %d right after its register: %v", i, err)
		}
		o.revokeAtOnce(acc.Username) // at most 5 live accounts
	}
	if got := s.reports(o.network()); len(got) != 20 {
		t.Fatalf("%d reports, want 20", len(got))
	}

	// An account nobody has: 401 at once.
	start := time.Now()
	err := client.UpdateTXTRecord(ctx, goacmedns.Account{Username: ids.New[ids.CredentialID]().String(), Password: strings.Repeat("k", 40),
		SubDomain: o.slug}, acmeTXT("z"))
	var ce *goacmedns.ClientError
	if !errors.As(err, &ce) || ce.HTTPStatus != http.StatusUnauthorized {
		t.Fatalf("an unknown account: %v", err)
	}
	if took := time.Since(start); took > credentials.DefaultSyncTimeout/2 {
		t.Errorf("an unknown account answered after %s", took)
	}
}

// A projection that does not reach the log within the wait leaves a new
// account, and one nobody has, unanswered: 500 db_error, acme-dns's answer
// when it cannot check an account (its clients try again), never 401.
func TestACMEDNSBehind(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("hal@example.com", "hals-lab", region)
	c := o.issue()
	release := s.holdProjection()
	a := o.registerAtOnce(c)
	for _, user := range []string{a.Username, ids.New[ids.CredentialID]().String()} {
		s.acmeUpdate(user, a.Password, txtBody{Subdomain: o.slug, TXT: acmeTXT("a")}).wantError(t, 500, "db_error")
	}
	release()
	s.acmeUpdate(a.Username, a.Password, txtBody{Subdomain: o.slug, TXT: acmeTXT("a")}).want(t, 200)
}
