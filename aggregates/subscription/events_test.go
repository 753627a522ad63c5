package subscription_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	c := events.NewCatalog()
	subscription.Register(c)
	cases := []struct {
		event    events.Payload
		typ      string
		wantJSON string
	}{
		{opened, "wardnet.subscription.trial_opened", `{"entitlement":{"max_networks":1,"max_daemons":1},"expires_at":"2026-04-30T12:00:00Z"}`},
		{subscription.Closed{Reason: subscription.ReasonDeregistered}, "wardnet.subscription.closed", `{"reason":"deregistered"}`},
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
