package ddnsapi_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

// A router updates its network's address with an update credential: good
// when it changed, nochg when not, one line per hostname.
func TestDyndns2Update(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("olga@example.com", "olgas-lab", region)
	c := o.issue()
	auth := basic(c.Username, c.Secret)

	s.nic(nic{hostname: o.host(), myip: "203.0.114.40", authorization: auth}).wantText(t, 200, "good 203.0.114.40")
	s.nic(nic{hostname: o.host(), myip: "203.0.114.40", authorization: auth}).wantText(t, 200, "nochg 203.0.114.40")
	// Names in any case, with a final dot; both families at once.
	s.nic(nic{hostname: strings.ToUpper(o.host()) + ".", myip: "203.0.114.41,2a01:4f8::41", authorization: auth}).
		wantText(t, 200, "good 203.0.114.41,2a01:4f8::41")
	// Several hostnames: a line each, in order; the second time the
	// network's name comes, nothing is left to change.
	s.nic(nic{hostname: o.host() + ", other-lab." + zone + ",example.com," + o.host(), myip: "203.0.114.42", authorization: auth}).
		wantText(t, 200, "good 203.0.114.42", "nohost", "notfqdn", "nochg 203.0.114.42")

	want := []events.Payload{addr("203.0.114.40"), addr("203.0.114.41"), addr("2a01:4f8::41"), addr("203.0.114.42")}
	if got := s.reports(o.network()); !reflect.DeepEqual(got, want) {
		t.Fatalf("reports %v, want %v", got, want)
	}
	// The events are the credential's doing.
	for rec, err := range s.store.Load(t.Context(), events.MustRef("dns", o.network()), 0) {
		must(t, err)
		if rec.Actor != "credential:"+c.CredentialID || rec.TenantID != o.daemon.tenant {
			t.Errorf("event %d by %q for %q", rec.Seq, rec.Actor, rec.TenantID)
		}
	}
	// The request log names the route; nothing of the request is logged.
	logs := s.logs.String()
	if !strings.Contains(logs, `"route":"GET /nic/update"`) {
		t.Errorf("no request log line for /nic/update")
	}
	for _, secret := range []string{c.Secret, auth, "203.0.114.4", c.Username, o.host()} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// Without myip, or with one that is not an address, the client's address
// is set: here the X-Forwarded-For of a loopback peer, as behind a local
// proxy. An address that is not public is refused with badip.
func TestDyndns2Address(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("pia@example.com", "pias-lab", region)
	c := o.issue()
	auth := basic(c.Username, c.Secret)

	s.nic(nic{hostname: o.host(), noMyIP: true, authorization: auth, client: "203.0.114.50"}).wantText(t, 200, "good 203.0.114.50")
	s.nic(nic{hostname: o.host(), myip: "", authorization: auth, client: "203.0.114.51"}).wantText(t, 200, "good 203.0.114.51")
	// A myip that is not an address is ignored, as Dyn's protocol says.
	s.nic(nic{hostname: o.host(), myip: "<ipaddr>", authorization: auth, client: "203.0.114.52"}).wantText(t, 200, "good 203.0.114.52")
	for _, malformed := range []string{"203.0.114", "203.0.114.999", "fe80::1%eth0", "1.2.3.4/24", "%zz"} {
		s.nic(nic{hostname: o.host(), myip: malformed, authorization: auth, client: "203.0.114.52"}).
			wantText(t, 200, "nochg 203.0.114.52")
	}
	s.nic(nic{hostname: o.host(), myip: "garbage,2a01:4f8::52", authorization: auth, client: "203.0.114.52"}).
		wantText(t, 200, "good 2a01:4f8::52")
	s.nic(nic{hostname: o.host(), myip: "::ffff:203.0.114.53", authorization: auth}).wantText(t, 200, "good 203.0.114.53")
	// An IPv6 client without myip: its address, for the AAAA record.
	s.nic(nic{hostname: o.host(), noMyIP: true, authorization: auth, client: "2a01:4f8::54"}).wantText(t, 200, "good 2a01:4f8::54")

	before := s.reports(o.network())
	for _, notPublic := range []string{"10.1.2.3", "192.168.1.1", "100.64.0.1", "127.0.0.1", "fd00::1", "203.0.114.55,fd00::1"} {
		s.nic(nic{hostname: o.host(), myip: notPublic, authorization: auth}).wantText(t, 200, "badip")
	}
	// A client address that is not public, without a usable myip.
	s.nic(nic{hostname: o.host(), noMyIP: true, authorization: auth, client: "192.168.1.20"}).wantText(t, 200, "badip")
	s.nic(nic{hostname: o.host(), noMyIP: true, authorization: auth}).wantText(t, 200, "badip") // loopback itself
	if got := s.reports(o.network()); !reflect.DeepEqual(got, before) {
		t.Fatalf("refused addresses reported: %v", got[len(before):])
	}
}

// A router given its credential the moment tenants answers 201 is answered
// good, never badauth: ddns waits for its copy of the credentials to reach
// the log. A username nobody has is badauth without that wait, its copy
// being at the log already.
func TestDyndns2ReadsItsWrites(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("yves@example.com", "yves-lab", region)
	for i := range 20 {
		c := o.issueAtOnce()
		ip := fmt.Sprintf("203.0.114.%d", 100+i)
		s.nic(nic{hostname: o.host(), myip: ip, authorization: basic(c.Username, c.Secret)}).wantText(t, 200, "good "+ip)
		o.revokeAtOnce(c.CredentialID) // at most 5 live ones
	}
	for range 3 {
		start := time.Now()
		s.nic(nic{hostname: o.host(), myip: "203.0.114.99", authorization: basic(o.slug+"-zzzzzzzz", "secret")}).
			wantText(t, 200, "badauth")
		if took := time.Since(start); took > credentials.DefaultSyncTimeout/2 {
			t.Errorf("an unknown username answered after %s", took)
		}
	}
}

// A projection that does not reach the log within the wait cannot tell a
// new credential from a username nobody has: both are answered 911, try
// again, never badauth; a credential it has is good all the same, and the
// new one once the projection catches up.
func TestDyndns2Behind(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("zeno@example.com", "zenos-lab", region)
	known := o.issue()
	release := s.holdProjection()
	fresh := o.issueAtOnce()
	for _, auth := range []string{basic(fresh.Username, fresh.Secret), basic(o.slug+"-zzzzzzzz", "secret")} {
		start := time.Now()
		s.nic(nic{hostname: o.host(), myip: "203.0.114.98", authorization: auth}).wantText(t, 200, "911")
		if took := time.Since(start); took < credentials.DefaultSyncTimeout {
			t.Errorf("911 after %s, before the wait's bound", took)
		}
	}
	s.nic(nic{hostname: o.host(), myip: "203.0.114.98", authorization: basic(known.Username, known.Secret)}).
		wantText(t, 200, "good 203.0.114.98")
	release()
	s.nic(nic{hostname: o.host(), myip: "203.0.114.98", authorization: basic(fresh.Username, fresh.Secret)}).
		wantText(t, 200, "nochg 203.0.114.98")
	if logs := s.logs.String(); !strings.Contains(logs, "dyndns2 update cannot be answered now") || strings.Contains(logs, fresh.Secret) {
		t.Errorf("the wait that ran out is not logged, or the log holds the secret")
	}
}

// badauth for every credential that is not a live one of this network:
// none (401, with a challenge), malformed (a username that is not UTF-8
// among them), unknown, wrong secret (another
// network's included), revoked, an acme-dns account's, or a network on its
// way out.
func TestDyndns2BadAuth(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("quinn@example.com", "quinns-lab", region)
	other := s.newOwner("rhea@example.com", "rheas-lab", region)
	c, revoked, theirs := o.issue(), o.issue(), other.issue()
	o.revoke(revoked.CredentialID)
	var acme struct{ Username, Password string }
	r := s.do(request{method: "POST", path: "/register", header: headerOf("Authorization", basic(c.Username, c.Secret))})
	r.want(t, 201)
	decodeJSON(t, r.body, &acme)
	o.sync()

	q := nic{hostname: o.host(), myip: "203.0.114.60"}
	r = s.nic(q)
	r.wantText(t, 401, "badauth")
	if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
		t.Errorf("WWW-Authenticate %q, want a Basic challenge", got)
	}
	// A username that is not UTF-8 names no credential: badauth, not a
	// store's failure.
	for _, bad := range []string{"Bearer x", "Basic", "Basic !!!", basic("", c.Secret), "Basic " + "dXNlcg==", basic("\xff", c.Secret)} {
		q.authorization = bad
		s.nic(q).wantText(t, 401, "badauth")
	}
	for _, tc := range []struct{ name, auth string }{
		{"unknown username", basic("quinns-lab-zzzzzzzz", c.Secret)},
		{"wrong secret", basic(c.Username, c.Secret[1:]+"A")},
		{"another network's secret", basic(c.Username, theirs.Secret)},
		{"revoked", basic(revoked.Username, revoked.Secret)},
		{"an acme-dns account", basic(acme.Username, acme.Password)},
		{"a secret too long", basic(c.Username, strings.Repeat("s", 2000))},
	} {
		q.authorization = tc.auth
		if r := s.nic(q); string(r.body) != "badauth\n" || r.status != 200 {
			t.Errorf("%s: %d %q, want 200 badauth", tc.name, r.status, r.body)
		}
	}
	// Another network's own credential is good, but not for this name.
	q.authorization = basic(theirs.Username, theirs.Secret)
	s.nic(q).wantText(t, 200, "nohost")

	// The network on its way out: its credentials die with it.
	o.person.send(http.MethodDelete, "/v1/tenants/"+o.daemon.tenant+"/networks/"+o.slug, nil, nil)
	o.sync()
	q.authorization = basic(c.Username, c.Secret)
	s.nic(q).wantText(t, 200, "badauth")

	if got := s.allReports(); len(got) != 0 {
		t.Fatalf("reports %v, want none", got)
	}
	logs := s.logs.String()
	for _, secret := range []string{c.Secret, revoked.Secret, theirs.Secret, acme.Password} {
		if strings.Contains(logs, secret) {
			t.Error("the log holds a secret")
		}
	}
}

// Names that are not the network's, and requests without names or with
// too many.
func TestDyndns2Hostnames(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("sara@example.com", "saras-lab", region)
	c := o.issue()
	auth := basic(c.Username, c.Secret)
	for _, tc := range []struct {
		hostname string
		want     string
	}{
		{"other-lab." + zone, "nohost"},
		{"www." + o.host(), "nohost"},
		{"saras-lab", "notfqdn"},
		{"saras-lab.example.org", "notfqdn"},
		{zone, "notfqdn"},
		{"saras_lab." + zone, "notfqdn"},
		{",", "notfqdn\nnotfqdn"},
	} {
		s.nic(nic{hostname: tc.hostname, myip: "203.0.114.70", authorization: auth}).wantText(t, 200, tc.want)
	}
	s.nic(nic{myip: "203.0.114.70", authorization: auth}).wantText(t, 200, "notfqdn")
	s.nic(nic{raw: "myip=203.0.114.70&hostname=", authorization: auth}).wantText(t, 200, "notfqdn")
	s.nic(nic{hostname: strings.Repeat(o.host()+",", 21), myip: "203.0.114.70", authorization: auth}).wantText(t, 200, "numhost")
	// Twenty are fine.
	lines := []string{"good 203.0.114.70"}
	for range 19 {
		lines = append(lines, "nochg 203.0.114.70")
	}
	s.nic(nic{hostname: strings.TrimSuffix(strings.Repeat(o.host()+",", 20), ","), myip: "203.0.114.70", authorization: auth}).
		wantText(t, 200, lines...)
	// Dyn's other parameters are ignored.
	s.nic(nic{raw: "system=dyndns&hostname=" + o.host() + "&myip=203.0.114.71&wildcard=ON&offline=YES", authorization: auth}).
		wantText(t, 200, "good 203.0.114.71")
}

// abuse: too many updates with one credential, or too many requests from
// one client address, counted before the credential is checked.
func TestDyndns2Abuse(t *testing.T) {
	t.Parallel()
	s := newStackWithLimits(t, ratelimit.Limit{Name: "client", Max: 5, Window: time.Minute},
		ratelimit.Limit{Name: "update", Max: 2, Window: time.Minute})
	o := s.newOwner("tess@example.com", "tess-lab", region)
	c1, c2 := o.issue(), o.issue()
	q := func(c credential, client string) nic {
		return nic{hostname: o.host(), myip: "203.0.114.80", authorization: basic(c.Username, c.Secret), client: client}
	}
	s.nic(q(c1, "198.51.100.1")).wantText(t, 200, "good 203.0.114.80")
	s.nic(q(c1, "198.51.100.2")).wantText(t, 200, "nochg 203.0.114.80")
	s.nic(q(c1, "198.51.100.3")).wantText(t, 200, "abuse") // the credential's third update
	s.nic(q(c2, "198.51.100.3")).wantText(t, 200, "nochg 203.0.114.80")

	// One address: its requests count whatever their credentials.
	s.nic(q(c2, "198.51.100.3")).wantText(t, 200, "nochg 203.0.114.80") // c2's second update, the address's third request
	wrong := nic{hostname: o.host(), authorization: basic(c2.Username, "wrong-secret"), client: "198.51.100.3"}
	s.nic(wrong).wantText(t, 200, "badauth")
	s.nic(wrong).wantText(t, 200, "badauth")
	s.nic(wrong).wantText(t, 200, "abuse") // the address's sixth
	s.nic(nic{hostname: o.host(), client: "198.51.100.3"}).wantText(t, 200, "abuse")

	if got := s.reports(o.network()); len(got) != 1 {
		t.Fatalf("reports %v, want the first update only", got)
	}
}

// The update lands on the credential's network and nowhere else, whatever
// the request names: another tenant's network is only a nohost.
func TestDyndns2CrossTenant(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	a := s.newOwner("uma@example.com", "umas-lab", region)
	b := s.newOwner("vic@example.com", "vics-lab", region)
	ca, cb := a.issue(), b.issue()
	s.nic(nic{hostname: b.host(), myip: "203.0.114.90", authorization: basic(ca.Username, ca.Secret)}).wantText(t, 200, "nohost")
	s.nic(nic{hostname: a.host() + "," + b.host(), myip: "203.0.114.91", authorization: basic(ca.Username, ca.Secret)}).
		wantText(t, 200, "good 203.0.114.91", "nohost")
	s.nic(nic{hostname: b.host(), myip: "203.0.114.92", authorization: basic(cb.Username, cb.Secret)}).wantText(t, 200, "good 203.0.114.92")
	// A's secret does not pass for B's username.
	s.nic(nic{hostname: b.host(), myip: "203.0.114.93", authorization: basic(cb.Username, ca.Secret)}).wantText(t, 200, "badauth")

	got := s.allReports()
	want := map[string][]events.Payload{a.network(): {addr("203.0.114.91")}, b.network(): {addr("203.0.114.92")}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reports %v, want %v", got, want)
	}
	for id, tenant := range map[string]string{a.network(): a.daemon.tenant, b.network(): b.daemon.tenant} {
		for rec, err := range s.store.Load(t.Context(), events.MustRef("dns", id), 0) {
			must(t, err)
			if rec.TenantID != tenant {
				t.Errorf("event %d on %s for tenant %q, want %q", rec.Seq, id, rec.TenantID, tenant)
			}
		}
	}
}

// A credential of a network of another region: its names are not served
// here; a request without a name or with too many is answered for that
// first.
func TestDyndns2OtherRegion(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("wes@example.com", "wes-lab", otherRegion)
	c := o.issue()
	s.nic(nic{hostname: o.host(), myip: "203.0.114.95", authorization: basic(c.Username, c.Secret)}).wantText(t, 200, "nohost")
	s.nic(nic{hostname: o.host() + "," + o.host(), myip: "203.0.114.95", authorization: basic(c.Username, c.Secret)}).
		wantText(t, 200, "nohost", "nohost")
	// The request's own faults are answered as for any credential.
	s.nic(nic{myip: "203.0.114.95", authorization: basic(c.Username, c.Secret)}).wantText(t, 200, "notfqdn")
	many := strings.TrimSuffix(strings.Repeat(o.host()+",", 21), ",")
	s.nic(nic{hostname: many, myip: "203.0.114.95", authorization: basic(c.Username, c.Secret)}).wantText(t, 200, "numhost")
	if got := s.allReports(); len(got) != 0 {
		t.Fatalf("reports %v", got)
	}
}

// A failure of ours (here the credentials projection's table gone from
// under the reader) answers 911, dyndns2's "try again later", once, and is
// logged without the request's name, address or credential.
func TestDyndns2ServerFailure(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	o := s.newOwner("ivan@example.com", "ivans-lab", region)
	c := o.issue()
	table := pgx.Identifier{projectors.SchemaName(credentials.Name), "credentials"}.Sanitize()
	_, err := s.db.Pool.Exec(t.Context(), `ALTER TABLE `+table+` RENAME TO broken`)
	must(t, err)
	t.Cleanup(func() {
		broken := pgx.Identifier{projectors.SchemaName(credentials.Name), "broken"}.Sanitize()
		if _, err := s.db.Pool.Exec(context.Background(), `ALTER TABLE `+broken+` RENAME TO credentials`); err != nil {
			t.Error(err)
		}
	})
	auth := basic(c.Username, c.Secret)
	s.nic(nic{hostname: o.host() + "," + o.host(), myip: "203.0.114.90", authorization: auth}).wantText(t, 200, "911")
	logs := s.logs.String()
	if !strings.Contains(logs, "dyndns2 update failed") {
		t.Errorf("the failure was not logged:\n%s", logs)
	}
	for _, secret := range []string{c.Secret, auth, "203.0.114.90", o.host()} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
	if got := s.reports(o.network()); len(got) != 0 {
		t.Errorf("reports %v after a failure", got)
	}
}
