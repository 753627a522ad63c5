package code_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	c := events.NewCatalog()
	code.Register(c)
	cases := []struct {
		event    events.Payload
		typ      string
		wantJSON string
	}{
		{
			issued(naming.PurposeEnrollment, tenantID), "wardnet.code.issued",
			`{"purpose":"enrollment","email":"v1:day:sealed-email","email_index":"` + string(index) +
				`","tenant_id":"` + string(tenantID) + `","expires_at":"2026-03-01T12:05:00Z"}`,
		},
		{
			issued(naming.PurposeSignup, ""), "wardnet.code.issued",
			`{"purpose":"signup","email":"v1:day:sealed-email","email_index":"` + string(index) + `","expires_at":"2026-03-01T12:05:00Z"}`,
		},
		{code.Used{}, "wardnet.code.used", `{}`},
	}
	if got := len(c.Types()); got != 2 {
		t.Fatalf("catalogue has %d types, the test covers 2", got)
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
