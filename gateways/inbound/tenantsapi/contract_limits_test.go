package tenantsapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// A trial tenant holds one network and one daemon (docs/tenants.md,
// tenant.AddNetwork/AddDaemon): a second daemon, enrolled with an
// add-daemon code, cannot register a second network, and a network the
// owner deletes still counts while it is deprovisioning. Bad
// registrations are 400 before any of that (contract §1.4, §2.3).
func TestContractEntitlementLimits(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	first, second := newDaemon(t), newDaemon(t)
	tenant := s.enroll(t, s.issue(t, "nina@example.com", "enrollment"), first)
	token, _ := s.mint(t, first)
	user := s.userToken(t, tenant)
	if me := s.me(t, user); me.Subscription == nil || me.Subscription.Status != "trialing" ||
		me.Subscription.Entitlement != (tenancy.Entitlement{MaxNetworks: 1, MaxDaemons: 1}) {
		t.Fatalf("subscription %+v, want the 1/1 trial", me.Subscription)
	}
	available := func(slug string) bool {
		t.Helper()
		var got struct{ Available bool }
		s.do(t, call{method: "GET", path: "/v1/availability?slug=" + slug, bearer: user}).decode(t, http.StatusOK, &got)
		return got.Available
	}

	// Refused registrations, each with the reason; none binds the
	// daemon or claims the slug.
	for _, c := range []struct {
		name string
		body map[string]any
		want string // the message's start
	}{
		{"unknown region", map[string]any{"slug": "ninas-home", "region": "mars"}, "unknown region"},
		{"blank region", map[string]any{"slug": "ninas-home", "region": "  "}, "unknown region"},
		{"region in upper case", map[string]any{"slug": "ninas-home", "region": strings.ToUpper(region)}, "unknown region"},
		{"reserved slug", map[string]any{"slug": "www", "region": region}, "reserved slug"},
		{"2-byte slug", map[string]any{"slug": "ab", "region": region}, "invalid slug"},
		{"slug in hyphens", map[string]any{"slug": "-x-", "region": region}, "invalid slug"},
		{"slug in upper case", map[string]any{"slug": "UPPER", "region": region}, "invalid slug"},
		{"33-byte slug", map[string]any{"slug": strings.Repeat("n", 33), "region": region}, "invalid slug"},
		{"256-byte display_name", map[string]any{"slug": "ninas-home", "region": region, "display_name": strings.Repeat("n", 256)},
			"display_name must be valid UTF-8 of at most 255 bytes"},
		{"256-byte display_name of 2-byte runes", map[string]any{"slug": "ninas-home", "region": region, "display_name": strings.Repeat("é", 128)},
			"display_name must be valid UTF-8 of at most 255 bytes"},
	} {
		r := s.daemonCall(t, first, call{method: "POST", path: "/v1/networks", bearer: token, body: c.body})
		r.wantError(t, http.StatusBadRequest, "")
		r.conforms(t)
		var e struct{ Error string }
		decodeJSON(t, r.body, &e)
		if !strings.HasPrefix(e.Error, c.want) {
			t.Errorf("%s: error %q, want %q…", c.name, e.Error, c.want)
		}
	}
	if !available("ninas-home") {
		t.Error("a refused registration claimed its slug")
	}

	// The largest name and display name there are.
	slug, displayName := "ninas-"+strings.Repeat("h", 26), strings.Repeat("é", 127)+"!"
	network := s.register(t, first, token, map[string]any{"slug": slug, "display_name": displayName, "region": region})
	if network.Slug != slug || network.DisplayName == nil || *network.DisplayName != displayName || network.TenantID != tenant {
		t.Fatalf("registered %+v, want %d-byte slug and %d-byte display name", network, len(slug), len(displayName))
	}

	// A second daemon joins with an add-daemon code.
	if got := s.enroll(t, s.daemonCode(t, user, tenant), second); got != tenant {
		t.Fatalf("add-daemon code enrolled into %s, want %s", got, tenant)
	}
	secondToken, claims := s.mint(t, second)
	if claims.TenantID != tenant || claims.NetworkScoped() {
		t.Fatalf("second daemon's token %+v, want tenant-scoped for %s", claims, tenant)
	}
	atLimit := func(when string) {
		t.Helper()
		r := s.daemonCall(t, second, call{method: "POST", path: "/v1/networks", bearer: secondToken,
			body: map[string]any{"slug": "ninas-cabin", "region": region}})
		r.wantError(t, http.StatusConflict, "")
		r.conforms(t)
		var e struct{ Error string }
		decodeJSON(t, r.body, &e)
		if e.Error != "network limit reached" && e.Error != "daemon limit reached" {
			t.Errorf("%s: 409 %q, want the network or daemon limit", when, e.Error)
		}
		if !available("ninas-cabin") {
			t.Errorf("%s: the refused registration claimed its slug", when)
		}
	}
	atLimit("with one network")

	// Its tenant-scoped token cannot remove a daemon from the network,
	// its own or not: the first daemon stays.
	r := s.daemonCall(t, second, call{method: "DELETE", path: "/v1/networks/" + network.ID + "/daemons/self", bearer: secondToken})
	r.wantError(t, http.StatusForbidden, "a network-scoped token for this network is required")
	r.conforms(t)
	var daemons []tenancy.DaemonView
	s.do(t, call{method: "GET", path: "/v1/networks/" + network.ID + "/daemons", bearer: user}).decode(t, http.StatusOK, &daemons)
	if len(daemons) != 1 || daemons[0].PublicKey != publicKey(first) {
		t.Errorf("daemons of the network %+v, want the first daemon only", daemons)
	}

	// The owner deletes the network: deprovisioning, it still holds its
	// name and still counts.
	r = s.do(t, call{method: "DELETE", path: "/v1/tenants/" + tenant + "/networks/" + slug, bearer: user})
	r.wantStatus(t, http.StatusAccepted)
	r.conforms(t)
	var networks []tenancy.NetworkView
	s.do(t, call{method: "GET", path: "/v1/tenants/" + tenant + "/networks", bearer: user}).decode(t, http.StatusOK, &networks)
	if len(networks) != 1 || networks[0].ID != network.ID || networks[0].ProvisioningState != "deprovisioning" {
		t.Fatalf("networks after delete %+v, want the one, deprovisioning", networks)
	}
	if available(slug) {
		t.Error("a deprovisioning network's slug is available")
	}
	atLimit("with its network deprovisioning")

	daemons = nil
	s.do(t, call{method: "GET", path: "/v1/tenants/" + tenant + "/daemons", bearer: user}).decode(t, http.StatusOK, &daemons)
	if len(daemons) != 1 || daemons[0].PublicKey != publicKey(first) {
		t.Errorf("daemons of the tenant %+v, want the first only", daemons)
	}
}
