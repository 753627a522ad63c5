package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRevokeUpdateCredential(t *testing.T) {
	cmd := network.RevokeUpdateCredential{CredentialID: cred1}
	live := issued(cred1, network.CredentialUpdate, "home-lab-a1b2c3d4")
	revoked := []events.Payload{network.UpdateCredentialRevoked{CredentialID: cred1}}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "live", Given: []events.Payload{registered, live}, Cmd: cmd, Want: revoked},
		{Name: "acme-dns account", Given: []events.Payload{registered, issued(cred1, network.CredentialACMEDNS, string(cred1))}, Cmd: cmd, Want: revoked},
		{Name: "while deprovisioning", Given: []events.Payload{registered, live, network.DeprovisioningStarted{Reason: network.ReasonUser}},
			Cmd: cmd, Want: revoked},
		{Name: "revoked already", Given: []events.Payload{registered, live, revoked[0]}, Cmd: cmd, Err: network.ErrNoCredential},
		{Name: "another credential", Given: []events.Payload{registered, issued(cred2, network.CredentialUpdate, "x")}, Cmd: cmd, Err: network.ErrNoCredential},
		{Name: "not registered", Cmd: cmd, Err: network.ErrNoCredential},
	})
}
