package network_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEventsCatalog(t *testing.T) {
	c := events.NewCatalog()
	network.Register(c)
	cases := []struct {
		event events.Payload
		name  string
		json  string
	}{
		{registered, "wardnet.network.registered",
			`{"tenant_id":"` + string(tenant) + `","slug":"home-lab","display_name":"Home lab","region":"local","daemon_id":"` + string(daemon1) + `","daemon_key":"` + key1.String() + `"}`},
		{network.Activated{}, "wardnet.network.activated", `{}`},
		{network.DeprovisioningStarted{Reason: network.ReasonSubscription}, "wardnet.network.deprovisioning", `{"reason":"subscription"}`},
		{network.DaemonUnbound{DaemonID: daemon2}, "wardnet.network.daemon_unbound", `{"daemon_id":"` + string(daemon2) + `"}`},
		{network.Deprovisioned{}, "wardnet.network.deprovisioned", `{}`},
	}
	if got := len(c.Types()); got != len(cases) {
		t.Fatalf("catalogue holds %d types, test covers %d", got, len(cases))
	}
	for _, tc := range cases {
		name, version, data, err := c.Encode(tc.event)
		if err != nil {
			t.Fatal(err)
		}
		if name != tc.name || version != 1 {
			t.Errorf("%T encodes as %s v%d", tc.event, name, version)
		}
		if !jsonEqual(t, data, tc.json) {
			t.Errorf("%s payload %s, want %s", name, data, tc.json)
		}
		back, err := c.Decode(name, version, data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, tc.event) {
			t.Errorf("%s round trip: %#v, want %#v", name, back, tc.event)
		}
	}
}

func jsonEqual(t *testing.T, a []byte, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}
