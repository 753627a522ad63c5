package tenant_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	c := events.NewCatalog()
	tenant.Register(c)
	cases := []struct {
		event    events.Payload
		typ      string
		wantJSON string
	}{
		{tenant.Created{TenantID: tenantID, Email: sealed}, "wardnet.tenant.created", `{"tenant_id":"` + string(tenantID) + `","email":"v1:sealed-email"}`},
		{tenant.Deregistered{}, "wardnet.tenant.deregistered", `{}`},
		{tenant.NetworkAdded{NetworkID: net1}, "wardnet.tenant.network_added", `{"network_id":"` + string(net1) + `"}`},
		{tenant.NetworkRemoved{NetworkID: net1}, "wardnet.tenant.network_removed", `{"network_id":"` + string(net1) + `"}`},
		{tenant.DaemonAdded{DaemonID: daemon1}, "wardnet.tenant.daemon_added", `{"daemon_id":"` + string(daemon1) + `"}`},
		{tenant.DaemonRemoved{DaemonID: daemon1}, "wardnet.tenant.daemon_removed", `{"daemon_id":"` + string(daemon1) + `"}`},
		{tenant.Swept{}, "wardnet.tenant.swept", `{}`},
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
