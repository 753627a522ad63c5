package ddnsapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
)

// owner is a tenant with a network registered by its daemon and a person
// who signed up with the same email: the daemon's account, whose user
// token manages the network's update credentials at tenants.
type owner struct {
	s      *stack
	daemon *daemon
	person *person
	slug   string
}

// newOwner makes a tenant of email with a network named slug in region.
func (s *stack) newOwner(email, slug, reg string) *owner {
	s.t.Helper()
	d := s.enroll(email).register(slug, reg)
	return &owner{s: s, daemon: d, person: s.signUp(email), slug: slug}
}

// host is the network's name.
func (o *owner) host() string { return o.slug + "." + zone }

// network is the network's id.
func (o *owner) network() string { return o.daemon.network }

// credential is an update credential as tenants issues it.
type credential struct {
	CredentialID string `json:"credential_id"`
	Username     string `json:"username"`
	Secret       string `json:"secret"`
}

func (o *owner) credentialsPath() string {
	return "/v1/tenants/" + o.daemon.tenant + "/networks/" + o.slug + "/credentials"
}

// issue issues an update credential through tenants and waits until the
// ddns side has it.
func (o *owner) issue() credential {
	o.s.t.Helper()
	var c credential
	o.person.post(o.credentialsPath(), nil, &c)
	o.sync()
	return c
}

// issueAtOnce issues an update credential through tenants and returns it
// as the owner holds it the moment tenants answers 201, without waiting
// for the ddns side.
func (o *owner) issueAtOnce() credential {
	o.s.t.Helper()
	var c credential
	o.person.post(o.credentialsPath(), nil, &c)
	return c
}

// revokeAtOnce revokes a credential through tenants, without waiting for
// the ddns side.
func (o *owner) revokeAtOnce(id string) {
	o.s.t.Helper()
	o.person.send(http.MethodDelete, o.credentialsPath()+"/"+id, nil, nil)
}

// revoke revokes a credential through tenants and waits until the ddns
// side has it.
func (o *owner) revoke(id string) {
	o.s.t.Helper()
	o.person.send(http.MethodDelete, o.credentialsPath()+"/"+id, nil, nil)
	o.sync()
}

// sync waits until the update credentials projection has every event of
// the network.
func (o *owner) sync() {
	o.s.t.Helper()
	id, err := ids.Parse[ids.NetworkID](o.network())
	must(o.s.t, err)
	must(o.s.t, o.s.creds.SyncNetwork(o.s.t.Context(), id))
}

// holdProjection keeps the update credentials projection from applying
// anything (it holds the projection's row lock, which every batch of the
// projector takes first) until the returned release is called, or the
// test ends.
func (s *stack) holdProjection() (release func()) {
	s.t.Helper()
	return servicetest.HoldProjection(s.t, s.db, credentials.Name)
}

// basic is an Authorization header of HTTP Basic.
func basic(user, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
}

// nic is one dyndns2 request: the query's parameters, an Authorization
// header (none when empty) and the client's address (X-Forwarded-For from
// loopback, which the service honours only there).
type nic struct {
	hostname, myip string
	noMyIP         bool
	authorization  string
	client         string
	raw            string // the whole query instead
}

func (s *stack) nic(n nic) *reply {
	s.t.Helper()
	q := n.raw
	if q == "" {
		v := url.Values{}
		if n.hostname != "" {
			v.Set("hostname", n.hostname)
		}
		if !n.noMyIP {
			v.Set("myip", n.myip)
		}
		q = v.Encode()
	}
	h := http.Header{}
	if n.authorization != "" {
		h.Set("Authorization", n.authorization)
	}
	if n.client != "" {
		h.Set("X-Forwarded-For", n.client)
	}
	return s.do(request{method: "GET", path: "/nic/update?" + q, header: h})
}

// wantText checks a dyndns2 answer: status and exactly these lines.
func (r *reply) wantText(t testing.TB, status int, lines ...string) {
	t.Helper()
	want := strings.Join(lines, "\n") + "\n"
	if r.status != status || string(r.body) != want {
		t.Fatalf("GET /nic/update?%s: %d %q, want %d %q", r.req.URL.RawQuery, r.status, r.body, status, want)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	r.conformsText(t)
}

// headerOf is a header with one value.
func headerOf(key, value string) http.Header {
	h := http.Header{}
	h.Set(key, value)
	return h
}

func decodeJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%q: %v", b, err)
	}
}
