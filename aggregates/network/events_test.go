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
		{Event: network.DaemonUnbound{RegistrationID: daemon2}, Type: "wardnet.network.daemon_unbound", JSON: `{"daemon_id":"` + string(daemon2) + `"}`},
		{Event: network.Deprovisioned{}, Type: "wardnet.network.deprovisioned", JSON: `{}`},
		{Event: issued(cred1, network.CredentialUpdate, "home-lab-a1b2c3d4"), Type: "wardnet.network.update_credential_issued",
			JSON: `{"credential_id":"` + string(cred1) + `","kind":"update","username":"home-lab-a1b2c3d4","secret_hash":"` + hash + `"}`},
		{Event: network.UpdateCredentialRevoked{CredentialID: cred1}, Type: "wardnet.network.update_credential_revoked",
			JSON: `{"credential_id":"` + string(cred1) + `"}`},
	})
}
