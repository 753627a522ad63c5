package ddns_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
)

// txt is a well-formed ACME value made of c.
func txt(c string) string { return strings.Repeat(c, ddns.ACMETXTLen) }

// acme-dns keeps the last two values: both the name's and the wildcard's
// challenge validate; a third drops the oldest. Each account keeps its
// own, apart from the daemon's and the other accounts'.
func TestAddACMEChallenge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	other := f.register("other", "local")
	acmeCred := f.issue(home, network.CredentialACMEDNS)
	acme := f.client(acmeCred, network.CredentialACMEDNS)
	second := f.client(f.issue(home, network.CredentialACMEDNS), network.CredentialACMEDNS)

	for _, v := range []string{txt("z"), txt("a"), txt("a"), txt("m")} {
		if err := f.cmds.AddACMEChallenge(ctx, ddns.AddACMEChallenge{Client: acme, Subdomain: "home", TXT: v}); err != nil {
			t.Fatalf("%s: %v", v[:1], err)
		}
	}
	// The daemon's values, and another account's, leave this one's.
	if err := f.cmds.SetChallenge(ctx, ddns.SetChallenge{Daemon: home.daemon, Values: []string{txt("d")}}); err != nil {
		t.Fatal(err)
	}
	if err := f.cmds.AddACMEChallenge(ctx, ddns.AddACMEChallenge{Client: second, Subdomain: "home", TXT: txt("m")}); err != nil {
		t.Fatal(err)
	}
	if err := f.cmds.AddACMEChallenge(ctx, ddns.AddACMEChallenge{Client: acme, Subdomain: "home", TXT: txt("q")}); err != nil {
		t.Fatal(err)
	}
	set := func(c ddns.Client, vs ...string) report.AccountChallengeSet {
		return report.AccountChallengeSet{CredentialID: c.CredentialID, Values: vs}
	}
	f.wantDNS(home.id,
		set(acme, txt("z")),
		set(acme, txt("z"), txt("a")),
		set(acme, txt("a"), txt("m")),
		report.ChallengeSet{Values: []string{txt("d")}},
		set(second, txt("m")),
		set(acme, txt("m"), txt("q")))
	f.wantDNS(other.id)
	// The daemon's clear is its own: the accounts' values stay.
	if err := f.cmds.ClearChallenge(ctx, home.daemon); err != nil {
		t.Fatal(err)
	}
	if got := f.dnsEvents(home.id); len(got) != 7 || got[6] != (report.ChallengeCleared{}) {
		t.Fatalf("reports %v", got)
	}
	f.revoke(home, acmeCred)

	update := f.client(f.issue(home, network.CredentialUpdate), network.CredentialUpdate)
	for _, tc := range []struct {
		name             string
		client           ddns.Client
		subdomain, value string
		err              error
	}{
		{"another subdomain", acme, "other", txt("b"), ddns.ErrWrongSubdomain},
		{"no subdomain", acme, "", txt("b"), ddns.ErrWrongSubdomain},
		{"the full name", acme, "home.dyn.example.net", txt("b"), ddns.ErrWrongSubdomain},
		{"42 characters", acme, "home", txt("b")[1:], ddns.ErrBadTXT},
		{"44 characters", acme, "home", txt("b") + "b", ddns.ErrBadTXT},
		{"padding", acme, "home", txt("b")[1:] + "=", ddns.ErrBadTXT},
		{"standard base64", acme, "home", txt("b")[1:] + "+", ddns.ErrBadTXT},
		{"empty", acme, "home", "", ddns.ErrBadTXT},
		{"an update credential", update, "home", txt("b"), ddns.ErrBadCredentials},
		{"a revoked account", acme, "home", txt("b"), ddns.ErrBadCredentials},
	} {
		if err := f.cmds.AddACMEChallenge(ctx, ddns.AddACMEChallenge{Client: tc.client, Subdomain: tc.subdomain, TXT: tc.value}); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
	// Nothing more, and nothing on the other network.
	if got := f.dnsEvents(home.id); len(got) != 7 {
		t.Fatalf("%d reports, want 7", len(got))
	}
	f.wantDNS(other.id)

	// Not on a network on its way out.
	f.appendNetwork(home, network.DeprovisioningStarted{Reason: network.ReasonUser})
	if err := f.cmds.AddACMEChallenge(ctx, ddns.AddACMEChallenge{Client: second, Subdomain: "home", TXT: txt("q")}); !errors.Is(err, ddns.ErrBadCredentials) {
		t.Errorf("deprovisioning: %v", err)
	}
}
