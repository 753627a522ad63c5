package reservation_test

import (
	"encoding/json"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEvolve(t *testing.T) {
	t.Parallel()
	steps := []struct {
		event events.Payload
		owner string
	}{
		{reservation.Claimed{Owner: alice}, string(alice)},
		{reservation.Released{Owner: bob}, string(alice)}, // not bob's to release
		{events.Unknown{Type: "wardnet.reservation.renamed", Raw: json.RawMessage(`{}`)}, string(alice)},
		{reservation.Released{Owner: alice}, ""},
		{reservation.Claimed{Owner: bob}, string(bob)},
	}
	s := reservation.Initial[ids.TenantID]()
	if s.Held() {
		t.Fatal("initial state is held")
	}
	for i, st := range steps {
		s = reservation.Evolve(s, events.Record{Seq: events.StreamSeq(i + 1), Data: st.event})
		if string(s.Owner) != st.owner || s.Held() != (st.owner != "") || (st.owner != "" && !s.HeldBy(s.Owner)) {
			t.Fatalf("after %#v: %+v, want owner %q", st.event, s, st.owner)
		}
	}
	if s.HeldBy(alice) || !s.HeldBy(bob) || reservation.Initial[ids.TenantID]().HeldBy("") {
		t.Fatalf("HeldBy on %+v", s)
	}
}

// Snapshots store State as JSON: it must come back equal.
func TestStateJSONRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.JSONRoundTrip(t, reservation.Initial[ids.TenantID](), given(reservation.Claimed{Owner: alice}))
}
