package daemon_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEventsCatalog(t *testing.T) {
	c := events.NewCatalog()
	daemon.Register(c)
	cases := []struct {
		event events.Payload
		name  string
		json  string
	}{
		{enrolled(tenantA, t0), "wardnet.daemon.enrolled",
			`{"tenant_id":"` + string(tenantA) + `","public_key":"` + key.String() + `","expires_at":"2026-03-01T12:15:00Z"}`},
		{registeredIn(net1), "wardnet.daemon.registered",
			`{"daemon_id":"` + string(daemonID) + `","tenant_id":"` + string(tenantA) + `","network_id":"` + string(net1) + `"}`},
		{daemon.Removed{DaemonID: daemonID, NetworkID: net1, Reason: daemon.ReasonNetworkDeprovisioned}, "wardnet.daemon.removed",
			`{"daemon_id":"` + string(daemonID) + `","network_id":"` + string(net1) + `","reason":"network_deprovisioned"}`},
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
		var x, y any
		if err := json.Unmarshal(data, &x); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.json), &y); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(x, y) {
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
