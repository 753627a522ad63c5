package tenantsapi_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// tenantFixture is a tenant as a person and a daemon make it: a password
// login, and a daemon registered to a network.
type tenantFixture struct {
	email, tenant, user string // user: a user token
	cookie              *http.Cookie
	daemon              ed25519.PrivateKey
	daemonToken         string // network-scoped
	network             tenancy.NetworkView
}

const accountPassword = "correct horse battery"

// newAccount signs email up, enrolls a daemon with a code for the same
// email (it joins the tenant) and registers a network named slug.
func (s *stack) newAccount(t *testing.T, email, slug string) tenantFixture {
	t.Helper()
	a := tenantFixture{email: email, cookie: s.signup(t, email, accountPassword), daemon: newDaemon(t)}
	a.user, a.tenant = s.exchange(t, a.cookie)
	if got := s.enroll(t, s.issue(t, email, "enrollment"), a.daemon); got != a.tenant {
		t.Fatalf("the daemon of %s's email enrolled into %s, want %s", slug, got, a.tenant)
	}
	token, _ := s.mint(t, a.daemon)
	a.network = s.register(t, a.daemon, token, map[string]any{"slug": slug, "region": region})
	a.daemonToken, _ = s.mint(t, a.daemon)
	if me := s.me(t, a.user); me.Subscription == nil || me.Subscription.Status != "trialing" {
		t.Fatalf("%s's subscription %+v, want the trial", slug, me.Subscription)
	}
	return a
}

// One tenant can neither read nor change another's, through any user
// route or with its daemon: the answers are 403 "not your tenant" where
// the path names the other tenant, and the 404 of a thing that does not
// exist where it names the other's network. The victim's data is
// unchanged afterwards, and the log holds nothing the attacker caused on
// the victim's aggregates.
func TestCrossTenant(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	a := s.newAccount(t, "amy@example.com", "amys-home")
	b := s.newAccount(t, "ben@example.com", "bens-home")
	if a.tenant == b.tenant {
		t.Fatal("two sign-ups share a tenant")
	}
	// B holds an update credential for its network's stock clients.
	bCred := s.issueCredential(t, b)
	ctx := context.Background()
	before, err := s.Store.LastSeq(ctx)
	must(t, err)

	// The 404 bodies of things that do not exist, to compare with.
	missingNetwork := s.do(t, call{method: "GET", path: "/v1/networks/" + otherID + "/daemons", bearer: a.user})
	missingNetwork.wantError(t, http.StatusNotFound, "network not found")
	missingSlug := s.do(t, call{method: "DELETE", path: "/v1/tenants/" + a.tenant + "/networks/nothing-here", bearer: a.user})
	missingSlug.wantError(t, http.StatusNotFound, "network not found")
	missingSlugCredentials := s.do(t, call{method: "GET", path: "/v1/tenants/" + a.tenant + "/networks/nothing-here/credentials", bearer: a.user})
	missingSlugCredentials.wantError(t, http.StatusNotFound, "network not found")
	bCreds := "/networks/" + b.network.Slug + "/credentials"

	// Every user route, with A's token, aimed at B.
	covered := map[string]bool{}
	for _, c := range []struct {
		route        string // as in authedRoutes, templated
		method, path string
		status       int
		msg          string
		like         *reply // a 404 must be this one's, byte for byte
	}{
		{"GET /v1/tenants/{id}/networks", "GET", "/v1/tenants/" + b.tenant + "/networks", http.StatusForbidden, "not your tenant", nil},
		{"GET /v1/tenants/{id}/daemons", "GET", "/v1/tenants/" + b.tenant + "/daemons", http.StatusForbidden, "not your tenant", nil},
		{"POST /v1/tenants/{id}/codes", "POST", "/v1/tenants/" + b.tenant + "/codes", http.StatusForbidden, "not your tenant", nil},
		{"DELETE /v1/tenants/{id}/networks/{slug}", "DELETE", "/v1/tenants/" + b.tenant + "/networks/" + b.network.Slug, http.StatusForbidden, "not your tenant", nil},
		{"DELETE /v1/tenants/{id}", "DELETE", "/v1/tenants/" + b.tenant, http.StatusForbidden, "not your tenant", nil},
		{"GET /v1/networks/{id}/daemons", "GET", "/v1/networks/" + b.network.ID + "/daemons", http.StatusNotFound, "network not found", missingNetwork},
		{"DELETE /v1/tenants/{id}/networks/{slug}", "DELETE", "/v1/tenants/" + a.tenant + "/networks/" + b.network.Slug, http.StatusNotFound, "network not found", missingSlug},
		{"POST /v1/tenants/{id}/networks/{slug}/credentials", "POST", "/v1/tenants/" + b.tenant + bCreds, http.StatusForbidden, "not your tenant", nil},
		{"GET /v1/tenants/{id}/networks/{slug}/credentials", "GET", "/v1/tenants/" + b.tenant + bCreds, http.StatusForbidden, "not your tenant", nil},
		{"DELETE /v1/tenants/{id}/networks/{slug}/credentials/{credential_id}", "DELETE", "/v1/tenants/" + b.tenant + bCreds + "/" + bCred.CredentialID, http.StatusForbidden, "not your tenant", nil},
		{"POST /v1/tenants/{id}/networks/{slug}/credentials", "POST", "/v1/tenants/" + a.tenant + bCreds, http.StatusNotFound, "network not found", missingSlugCredentials},
		{"GET /v1/tenants/{id}/networks/{slug}/credentials", "GET", "/v1/tenants/" + a.tenant + bCreds, http.StatusNotFound, "network not found", missingSlugCredentials},
		{"DELETE /v1/tenants/{id}/networks/{slug}/credentials/{credential_id}", "DELETE", "/v1/tenants/" + a.tenant + bCreds + "/" + bCred.CredentialID, http.StatusNotFound, "network not found", missingSlugCredentials},
	} {
		covered[c.route] = true
		r := s.do(t, call{method: c.method, path: c.path, bearer: a.user})
		r.wantError(t, c.status, c.msg)
		r.conforms(t)
		if c.like != nil && string(r.body) != string(c.like.body) {
			t.Errorf("%s on B's: %s, on nothing: %s: B's network shows", c.route, r.body, c.like.body)
		}
	}

	// GET /v1/me is A's; availability is global, the same for anyone.
	covered["GET /v1/me"], covered["GET /v1/availability"] = true, true
	if me := s.me(t, a.user); me.TenantID != a.tenant || me.Email != a.email {
		t.Errorf("A's me = %+v, want tenant %s, email %s", me, a.tenant, a.email)
	}
	var avail struct{ Available bool }
	s.do(t, call{method: "GET", path: "/v1/availability?slug=" + b.network.Slug, bearer: a.user}).decode(t, http.StatusOK, &avail)
	if avail.Available {
		t.Error("B's slug is available")
	}

	// A's daemon cannot remove itself, or anything, from B's network.
	r := s.daemonCall(t, a.daemon, call{method: "DELETE", path: "/v1/networks/" + b.network.ID + "/daemons/self", bearer: a.daemonToken})
	r.wantError(t, http.StatusForbidden, "a network-scoped token for this network is required")
	r.conforms(t)

	// Signing out everywhere ends A's sessions, not B's.
	covered["DELETE /v1/me/sessions"] = true
	r = s.do(t, call{method: "DELETE", path: "/v1/me/sessions", bearer: a.user})
	r.wantStatus(t, http.StatusNoContent)
	r.conforms(t)
	s.do(t, call{method: "POST", path: "/v1/auth/token", cookies: []*http.Cookie{a.cookie}}).wantError(t, http.StatusUnauthorized, "")
	bUser, bTenant := s.exchange(t, b.cookie)
	if bTenant != b.tenant {
		t.Fatalf("B's cookie exchanged for tenant %s", bTenant)
	}

	// Every user route of authedRoutes was tried.
	for _, rt := range authedRoutes {
		if !rt.user {
			continue
		}
		tmpl := strings.NewReplacer(otherCredential, "{credential_id}", otherID, "{id}", "/home", "/{slug}").Replace(rt.method + " " + rt.path)
		tmpl, _, _ = strings.Cut(tmpl, "?")
		if !covered[tmpl] {
			t.Errorf("user route %s not tried across tenants", tmpl)
		}
	}

	// B, as B sees it: unchanged.
	me := s.me(t, bUser)
	if me.TenantID != b.tenant || me.Email != b.email || me.Subscription == nil || me.Subscription.Status != "trialing" {
		t.Errorf("B's me = %+v, want B live and trialing", me)
	}
	var networks []tenancy.NetworkView
	r = s.do(t, call{method: "GET", path: "/v1/tenants/" + b.tenant + "/networks", bearer: bUser})
	r.decode(t, http.StatusOK, &networks)
	r.conforms(t)
	if len(networks) != 1 || networks[0].ID != b.network.ID || networks[0].Slug != b.network.Slug || networks[0].ProvisioningState != "provisioning" {
		t.Errorf("B's networks %+v, want %s, provisioning", networks, b.network.Slug)
	}
	for _, path := range []string{"/v1/tenants/" + b.tenant + "/daemons", "/v1/networks/" + b.network.ID + "/daemons"} {
		var daemons []tenancy.DaemonView
		r = s.do(t, call{method: "GET", path: path, bearer: bUser})
		r.decode(t, http.StatusOK, &daemons)
		r.conforms(t)
		if len(daemons) != 1 || daemons[0].PublicKey != publicKey(b.daemon) || daemons[0].NetworkID != b.network.ID {
			t.Errorf("GET %s as B = %+v, want B's daemon", path, daemons)
		}
	}

	// B's credential is still B's, and A's own route for its own network
	// does not show it.
	if got := s.listCredentials(t, bUser, b); len(got) != 1 || got[0].CredentialID != bCred.CredentialID {
		t.Errorf("B's credentials %+v, want %s", got, bCred.CredentialID)
	}
	if got := s.listCredentials(t, a.user, a); len(got) != 0 {
		t.Errorf("A's credentials %+v, want none", got)
	}

	// The log: nothing A caused is on B's aggregates or about tenant B,
	// and nothing at all was appended to B's since the attack began.
	wantNoCrossTenantEvents(t, s, a, b, before)

	s.wantNoSecretsLogged(t, a.email, b.email, accountPassword, a.user, b.user, bUser, a.daemonToken, b.daemonToken, a.cookie.Value, b.cookie.Value, bCred.Secret)
}

func wantNoCrossTenantEvents(t *testing.T, s *stack, a, b tenantFixture, attackFrom events.StreamSeq) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var log []events.Record
	for rec, err := range s.Store.Read(ctx, events.Query{}) {
		must(t, err)
		log = append(log, rec)
	}
	key, err := ids.ParseDaemonKey(publicKey(b.daemon))
	must(t, err)
	// B's aggregates: by id, and its email's reservation by its claim.
	bs := map[string]bool{
		tenant.Type + "." + b.tenant: true, subscription.Type + "." + b.tenant: true, account.Type + "." + b.tenant: true,
		network.Type + "." + b.network.ID: true, reservation.SlugType + "." + b.network.Slug: true,
		daemon.Type + "." + key.Fingerprint().String(): true,
	}
	emails := 0
	for _, rec := range log {
		if c, ok := rec.Data.(reservation.Claimed); ok && rec.Aggregate.Type() == reservation.EmailType && c.Owner == b.tenant {
			bs[reservation.EmailType+"."+rec.Aggregate.ID()] = true
			emails++
		}
	}
	if emails != 1 {
		t.Errorf("%d claims of an email by B in the log, want 1", emails)
	}
	byA := 0
	for _, rec := range log {
		agg := rec.Aggregate.Type() + "." + rec.Aggregate.ID()
		onB := bs[agg] || rec.TenantID == b.tenant
		if rec.Actor == "user:"+a.tenant {
			byA++
			if onB {
				t.Errorf("event %d %s on %s (tenant %q) caused by A", rec.Seq, rec.Type, agg, rec.TenantID)
			}
		}
		if onB && rec.Seq > attackFrom {
			t.Errorf("event %d %s on %s by %q appended to B's while A attacked", rec.Seq, rec.Type, agg, rec.Actor)
		}
	}
	// The check can fail: A's own doings are in the log under its name
	// (signing out everywhere, at least).
	if byA == 0 {
		t.Errorf("no event caused by user:%s in the log of %d events: the actor is not recorded as this test expects", a.tenant, len(log))
	}
	var found []string
	for agg := range bs {
		found = append(found, agg)
	}
	slices.Sort(found)
	for _, agg := range found {
		if !slices.ContainsFunc(log, func(r events.Record) bool { return r.Aggregate.Type()+"."+r.Aggregate.ID() == agg }) {
			t.Errorf("B's aggregate %s is not in the log: the check looks in the wrong place", agg)
		}
	}
}
