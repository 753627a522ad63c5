package ddns_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
)

func TestSetChallenge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n := f.register("home", "local")

	for _, values := range [][]string{{"b", "a"}, {"a", "b"}, {"a", "b", "a"}, {"c"}} {
		if err := f.cmds.SetChallenge(ctx, ddns.SetChallenge{Daemon: n.daemon, Values: values}); err != nil {
			t.Fatalf("%q: %v", values, err)
		}
	}
	f.wantDNS(n.id, report.ChallengeSet{Values: []string{"a", "b"}}, report.ChallengeSet{Values: []string{"c"}})

	for _, tc := range []struct {
		values []string
		msg    string
	}{
		{nil, "values must hold 1 to 4 challenge values"},
		{[]string{"1", "2", "3", "4", "5"}, "values must hold 1 to 4 challenge values"},
		{[]string{""}, "each challenge value must be 1 to 255 bytes"},
		{[]string{strings.Repeat("v", 256)}, "each challenge value must be 1 to 255 bytes"},
		{[]string{"tab\there"}, "challenge values must be printable ASCII without quotes or backslashes"},
		{[]string{`"quoted"`}, "challenge values must be printable ASCII without quotes or backslashes"},
		{[]string{"ü"}, "challenge values must be printable ASCII without quotes or backslashes"},
	} {
		wantRefused(t, f.cmds.SetChallenge(ctx, ddns.SetChallenge{Daemon: n.daemon, Values: tc.values}), ddns.BadRequest, tc.msg)
	}

	// No longer live: 409, as the contract answers a network without a
	// published name.
	gone := f.register("gone", "local", network.DeprovisioningStarted{Reason: network.ReasonDeregistered})
	wantRefused(t, f.cmds.SetChallenge(ctx, ddns.SetChallenge{Daemon: gone.daemon, Values: []string{"v"}}), ddns.Conflict, "network is not live: it is being deprovisioned")
	f.wantDNS(gone.id)
	far := f.register("far", "euc")
	wantRefused(t, f.cmds.SetChallenge(ctx, ddns.SetChallenge{Daemon: far.daemon, Values: []string{"v"}}), ddns.Forbidden, "network is not served by this region")
}
