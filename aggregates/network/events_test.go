package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
)

func TestEventsCatalog(t *testing.T) {
	aggregatetest.CheckCatalog(t, network.Register, []aggregatetest.EventCase{
		{Event: registered, Type: "wardnet.network.registered",
			JSON: `{"tenant_id":"` + string(tenant) + `","slug":"home-lab","display_name":"Home lab","region":"local","daemon_id":"` + string(daemon1) + `","daemon_key":"` + key1.String() + `"}`},
		{Event: network.Activated{}, Type: "wardnet.network.activated", JSON: `{}`},
		{Event: network.DeprovisioningStarted{Reason: network.ReasonSubscription}, Type: "wardnet.network.deprovisioning", JSON: `{"reason":"subscription"}`},
		{Event: network.DaemonUnbound{DaemonID: daemon2}, Type: "wardnet.network.daemon_unbound", JSON: `{"daemon_id":"` + string(daemon2) + `"}`},
		{Event: network.Deprovisioned{}, Type: "wardnet.network.deprovisioned", JSON: `{}`},
	})
}
