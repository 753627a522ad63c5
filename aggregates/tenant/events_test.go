package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.CheckCatalog(t, tenant.Register, []aggregatetest.EventCase{
		{Event: tenant.Created{TenantID: tenantID, Email: sealed}, Type: "wardnet.tenant.created", JSON: `{"tenant_id":"` + string(tenantID) + `","email":"v1:sealed-email"}`},
		{Event: tenant.Deregistered{}, Type: "wardnet.tenant.deregistered", JSON: `{}`},
		{Event: tenant.NetworkAdded{NetworkID: net1}, Type: "wardnet.tenant.network_added", JSON: `{"network_id":"` + string(net1) + `"}`},
		{Event: tenant.NetworkRemoved{NetworkID: net1}, Type: "wardnet.tenant.network_removed", JSON: `{"network_id":"` + string(net1) + `"}`},
		{Event: tenant.DaemonAdded{RegistrationID: daemon1}, Type: "wardnet.tenant.daemon_added", JSON: `{"daemon_id":"` + string(daemon1) + `"}`},
		{Event: tenant.DaemonRemoved{RegistrationID: daemon1}, Type: "wardnet.tenant.daemon_removed", JSON: `{"daemon_id":"` + string(daemon1) + `"}`},
		{Event: tenant.Swept{}, Type: "wardnet.tenant.swept", JSON: `{}`},
	})
}
