package ddns_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
)

func TestClearChallenge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n := f.register("home", "local")

	// Nothing to clear: nothing appended, nobody woken.
	if err := f.cmds.ClearChallenge(ctx, n.daemon); err != nil {
		t.Fatal(err)
	}
	if err := f.cmds.SetChallenge(ctx, ddns.SetChallenge{Daemon: n.daemon, Values: []string{"v"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.cmds.ClearChallenge(ctx, n.daemon); err != nil {
			t.Fatal(err)
		}
	}
	f.wantDNS(n.id, report.ChallengeSet{Values: []string{"v"}}, report.ChallengeCleared{})

	// Clearing is allowed on a network on its way out, and checked like
	// every report otherwise.
	if err := f.cmds.SetChallenge(ctx, ddns.SetChallenge{Daemon: n.daemon, Values: []string{"w"}}); err != nil {
		t.Fatal(err)
	}
	f.deprovision(n)
	if err := f.cmds.ClearChallenge(ctx, n.daemon); err != nil {
		t.Fatal(err)
	}
	f.wantDNS(n.id, report.ChallengeSet{Values: []string{"v"}}, report.ChallengeCleared{}, report.ChallengeSet{Values: []string{"w"}}, report.ChallengeCleared{})
	far := f.register("far", "euc")
	wantRefused(t, f.cmds.ClearChallenge(ctx, far.daemon), ddns.Forbidden, "network is not served by this region")
}
