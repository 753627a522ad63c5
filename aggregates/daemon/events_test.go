package daemon_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
)

func TestEventsCatalog(t *testing.T) {
	aggregatetest.CheckCatalog(t, daemon.Register, []aggregatetest.EventCase{
		{Event: enrolled(tenantA, t0), Type: "wardnet.daemon.enrolled",
			JSON: `{"tenant_id":"` + string(tenantA) + `","public_key":"` + key.String() + `","expires_at":"2026-03-01T12:15:00Z"}`},
		{Event: registeredIn(net1), Type: "wardnet.daemon.registered",
			JSON: `{"daemon_id":"` + string(registration) + `","tenant_id":"` + string(tenantA) + `","network_id":"` + string(net1) + `"}`},
		{Event: daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonNetworkDeprovisioned}, Type: "wardnet.daemon.removed",
			JSON: `{"daemon_id":"` + string(registration) + `","network_id":"` + string(net1) + `","reason":"network_deprovisioned"}`},
	})
}
