package reservation_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	c := events.NewCatalog()
	reservation.Register(c)
	cases := []struct {
		event    events.Payload
		typ      string
		wantJSON string
	}{
		{reservation.Claimed{Owner: alice}, "wardnet.reservation.claimed", `{"owner":"` + string(alice) + `"}`},
		{reservation.Released{Owner: alice}, "wardnet.reservation.released", `{"owner":"` + string(alice) + `"}`},
	}
	if got := len(c.Types()); got != len(cases) {
		t.Fatalf("catalogue has %d types, the test covers %d", got, len(cases))
	}
	for _, tc := range cases {
		name, version, data, err := c.Encode(tc.event)
		if err != nil {
			t.Fatalf("encode %T: %v", tc.event, err)
		}
		if name != tc.typ || version != 1 || string(data) != tc.wantJSON {
			t.Errorf("encode %T: %s v%d %s, want %s v1 %s", tc.event, name, version, data, tc.typ, tc.wantJSON)
		}
		back, err := c.Decode(name, version, data)
		if err != nil {
			t.Fatalf("decode %s: %v", name, err)
		}
		if !reflect.DeepEqual(back, tc.event) {
			t.Errorf("decode %s: %#v, want %#v", name, back, tc.event)
		}
	}
}
