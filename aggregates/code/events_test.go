package code_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.CheckCatalog(t, code.Register, []aggregatetest.EventCase{
		{
			Event: issued(code.PurposeEnrollment, tenantID), Type: "wardnet.code.issued",
			JSON: `{"purpose":"enrollment","email":"v1:day:sealed-email","email_index":"` + string(index) +
				`","tenant_id":"` + string(tenantID) + `","expires_at":"2026-03-01T12:05:00Z"}`,
		},
		{
			Event: issued(code.PurposeSignup, ""), Type: "wardnet.code.issued",
			JSON: `{"purpose":"signup","email":"v1:day:sealed-email","email_index":"` + string(index) + `","expires_at":"2026-03-01T12:05:00Z"}`,
		},
		{Event: code.Used{}, Type: "wardnet.code.used", JSON: `{}`},
	})
}
