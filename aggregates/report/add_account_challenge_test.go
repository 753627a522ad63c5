package report_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
)

// Two acme-dns accounts of one network.
const (
	acc1 = ids.CredentialID("6c0a6d5e-4a53-4d57-9a43-3f7e1c0b2a01")
	acc2 = ids.CredentialID("6c0a6d5e-4a53-4d57-9a43-3f7e1c0b2a02")
)

func TestAddAccountChallenge(t *testing.T) {
	add := func(v string) report.AddAccountChallenge {
		return report.AddAccountChallenge{CredentialID: acc1, Value: v, Keep: 2}
	}
	set := func(id ids.CredentialID, vs ...string) report.AccountChallengeSet {
		return report.AccountChallengeSet{CredentialID: id, Values: vs}
	}
	daemon := func(vs ...string) report.ChallengeSet { return report.ChallengeSet{Values: vs} }
	aggregatetest.RunDecide(t, fold, []aggregatetest.DecideCase[report.State]{
		{Name: "first", Cmd: add("b"), Want: []events.Payload{set(acc1, "b")}},
		{Name: "second", Given: []events.Payload{set(acc1, "b")}, Cmd: add("a"), Want: []events.Payload{set(acc1, "b", "a")}},
		// "z" came before "a": "z" is the oldest and goes, though it
		// sorts last.
		{Name: "third drops the oldest", Given: []events.Payload{set(acc1, "z"), set(acc1, "z", "a")}, Cmd: add("m"),
			Want: []events.Payload{set(acc1, "a", "m")}},
		{Name: "keep one", Given: []events.Payload{set(acc1, "a", "b")}, Cmd: report.AddAccountChallenge{CredentialID: acc1, Value: "c", Keep: 1},
			Want: []events.Payload{set(acc1, "c")}},
		{Name: "a value it has", Given: []events.Payload{set(acc1, "a", "b")}, Cmd: add("a")},
		// The daemon's values and another account's are theirs: they
		// neither stop nor limit this account's.
		{Name: "a value the daemon has", Given: []events.Payload{daemon("a", "b", "c")}, Cmd: add("a"),
			Want: []events.Payload{set(acc1, "a")}},
		{Name: "beside another account", Given: []events.Payload{set(acc2, "x", "y")}, Cmd: add("x"),
			Want: []events.Payload{set(acc1, "x")}},
		{Name: "after the daemon's clear", Given: []events.Payload{set(acc1, "a"), report.ChallengeCleared{}}, Cmd: add("b"),
			Want: []events.Payload{set(acc1, "a", "b")}},
		{Name: "empty value", Cmd: add(""), Err: report.ErrBadChallenge},
		{Name: "256 bytes", Cmd: add(strings.Repeat("x", 256)), Err: report.ErrBadChallenge},
		{Name: "keep none", Cmd: report.AddAccountChallenge{CredentialID: acc1, Value: "a"}, Err: report.ErrBadChallenge},
		{Name: "keep five", Cmd: report.AddAccountChallenge{CredentialID: acc1, Value: "a", Keep: 5}, Err: report.ErrBadChallenge},
		{Name: "no account", Cmd: report.AddAccountChallenge{Value: "a", Keep: 2}, Err: report.ErrBadChallenge},
		{Name: "an account that is no id", Cmd: report.AddAccountChallenge{CredentialID: "acc", Value: "a", Keep: 2}, Err: report.ErrBadChallenge},
	})
}

// The daemon's values and each account's are kept apart: setting or
// clearing one leaves the others.
func TestChallengeSources(t *testing.T) {
	s := fold(
		report.AccountChallengeSet{CredentialID: acc1, Values: []string{"a1", "a2"}},
		report.ChallengeSet{Values: []string{"d2", "d1"}},
		report.AccountChallengeSet{CredentialID: acc2, Values: []string{"b1"}},
		report.ChallengeCleared{},
		report.ChallengeSet{Values: []string{"d3"}},
		report.AccountChallengeSet{CredentialID: acc1, Values: []string{"a2", "a3"}},
	)
	want := report.State{Challenge: []string{"d3"}, Accounts: map[ids.CredentialID][]string{acc1: {"a2", "a3"}, acc2: {"b1"}}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("state %+v, want %+v", s, want)
	}
	// The daemon's set replaces only its own, whatever the accounts hold.
	got, err := report.SetChallenge{Values: []string{"d3"}}.Decide(s)
	if err != nil || got != nil {
		t.Fatalf("the daemon's values again: %v, %v", got, err)
	}
	// Evolve does not change the state it was given.
	before := fold(report.AccountChallengeSet{CredentialID: acc1, Values: []string{"a1"}})
	_ = report.Evolve(before, events.Record{Data: report.AccountChallengeSet{CredentialID: acc1, Values: []string{"a9"}}})
	if !reflect.DeepEqual(before.Accounts[acc1], []string{"a1"}) {
		t.Fatalf("Evolve changed the state before: %v", before.Accounts)
	}
	aggregatetest.JSONRoundTrip(t, s)
}
