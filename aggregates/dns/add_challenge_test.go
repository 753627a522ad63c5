package dns_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/dns"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestAddChallenge(t *testing.T) {
	add := func(v string) dns.AddChallenge { return dns.AddChallenge{Value: v, Keep: 2} }
	set := func(vs ...string) dns.ChallengeSet { return dns.ChallengeSet{Values: vs} }
	aggregatetest.RunDecide(t, fold, []aggregatetest.DecideCase[dns.State]{
		{Name: "first", Cmd: add("b"), Want: []events.Payload{set("b")}},
		{Name: "second", Given: []events.Payload{set("b")}, Cmd: add("a"), Want: []events.Payload{set("a", "b")}},
		// "z" came after "a": "a" is the oldest and goes, though it
		// sorts first.
		{Name: "third drops the oldest", Given: []events.Payload{set("a"), set("a", "z")}, Cmd: add("m"),
			Want: []events.Payload{set("m", "z")}},
		{Name: "the sorted event does not hide the order", Given: []events.Payload{set("z"), set("a", "z")}, Cmd: add("m"),
			Want: []events.Payload{set("a", "m")}},
		{Name: "after a daemon's set of three", Given: []events.Payload{set("a", "b", "c")}, Cmd: add("d"),
			Want: []events.Payload{set("c", "d")}},
		{Name: "keep one", Given: []events.Payload{set("a"), set("a", "b")}, Cmd: dns.AddChallenge{Value: "c", Keep: 1},
			Want: []events.Payload{set("c")}},
		{Name: "a value it has", Given: []events.Payload{set("a"), set("a", "b")}, Cmd: add("a")},
		{Name: "after a clear", Given: []events.Payload{set("a"), set("a", "b"), dns.ChallengeCleared{}}, Cmd: add("c"),
			Want: []events.Payload{set("c")}},
		{Name: "empty value", Cmd: add(""), Err: dns.ErrBadChallenge},
		{Name: "256 bytes", Cmd: add(strings.Repeat("x", 256)), Err: dns.ErrBadChallenge},
		{Name: "keep none", Cmd: dns.AddChallenge{Value: "a"}, Err: dns.ErrBadChallenge},
		{Name: "keep five", Cmd: dns.AddChallenge{Value: "a", Keep: 5}, Err: dns.ErrBadChallenge},
	})
}

// The state holds the values oldest first, whatever the events' order.
func TestChallengeOrder(t *testing.T) {
	for _, tc := range []struct {
		given []events.Payload
		want  []string
	}{
		{[]events.Payload{dns.ChallengeSet{Values: []string{"z"}}, dns.ChallengeSet{Values: []string{"a", "z"}}}, []string{"z", "a"}},
		{[]events.Payload{dns.ChallengeSet{Values: []string{"b", "a"}}}, []string{"b", "a"}},
		{[]events.Payload{dns.ChallengeSet{Values: []string{"a", "b"}}, dns.ChallengeSet{Values: []string{"b", "c"}}}, []string{"b", "c"}},
		{[]events.Payload{dns.ChallengeSet{Values: []string{"a", "a"}}}, []string{"a"}},
	} {
		if got := fold(tc.given...).Challenge; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("after %v: %v, want %v", tc.given, got, tc.want)
		}
	}
}
