package udpport_test

import (
	"encoding/json"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEvolve(t *testing.T) {
	t.Parallel()
	steps := []struct {
		event events.Payload
		want  map[ids.NetworkID]uint16
	}{
		{allocated(alice, 51820), map[ids.NetworkID]uint16{alice: 51820}},
		{allocated(bob, 51821), map[ids.NetworkID]uint16{alice: 51820, bob: 51821}},
		{released(bob, 51820, udpport.ReasonOperator), map[ids.NetworkID]uint16{alice: 51820, bob: 51821}}, // not bob's port
		{events.Unknown{Type: "wardnet.udpport.renamed", Raw: json.RawMessage(`{}`)}, map[ids.NetworkID]uint16{alice: 51820, bob: 51821}},
		{released(alice, 51820, udpport.ReasonDeprovisioned), map[ids.NetworkID]uint16{bob: 51821}},
		{allocated(carol, 51820), map[ids.NetworkID]uint16{bob: 51821, carol: 51820}},
	}
	s := udpport.Initial()
	for i, st := range steps {
		s = udpport.Evolve(s, events.Record{Seq: events.StreamSeq(i + 1), Data: st.event})
		if len(s.Ports) != len(st.want) {
			t.Fatalf("after %#v: %v, want %v", st.event, s.Ports, st.want)
		}
		for id, p := range st.want {
			if got, ok := s.PortOf(id); !ok || got != p {
				t.Fatalf("after %#v: %v, want %v", st.event, s.Ports, st.want)
			}
			if h, ok := s.Holder(p); !ok || h != id {
				t.Fatalf("after %#v: holder of %d is %q", st.event, p, h)
			}
		}
	}
	if _, ok := s.Holder(51822); ok {
		t.Fatal("a free port has a holder")
	}
	if zero := udpport.Evolve(udpport.State{}, events.Record{Data: allocated(alice, 1)}); zero.Ports[alice] != 1 {
		t.Fatalf("evolve of a zero state: %+v", zero)
	}
}

// Snapshots store State as JSON: it must come back equal.
func TestStateJSONRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.JSONRoundTrip(t, udpport.Initial(), given(allocated(alice, 51820), allocated(bob, 65535)))
}

func TestRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want udpport.Range
		ok   bool
	}{
		{"51820-52819", udpport.DefaultRange, true},
		{" 40000 - 40009 ", udpport.Range{First: 40000, Last: 40009}, true},
		{"51820", udpport.Range{First: 51820, Last: 51820}, true},
		{"1-65535", udpport.Range{First: 1, Last: 65535}, true},
		{"0-10", udpport.Range{}, false},
		{"10-9", udpport.Range{}, false},
		{"1-65536", udpport.Range{}, false},
		{"a-b", udpport.Range{}, false},
		{"", udpport.Range{}, false},
	} {
		got, err := udpport.ParseRange(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseRange(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok {
			if back, err := udpport.ParseRange(got.String()); err != nil || back != got {
				t.Errorf("%v through String: %v, %v", got, back, err)
			}
		}
	}
	if udpport.DefaultRange.Size() != 1000 || (udpport.Range{First: 2, Last: 1}).Size() != 0 ||
		!udpport.DefaultRange.Contains(51820) || udpport.DefaultRange.Contains(52820) {
		t.Error("Size or Contains")
	}
}
