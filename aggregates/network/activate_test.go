package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestActivate(t *testing.T) {
	decide := network.Activate{}.Decide
	deprovisioning := network.DeprovisioningStarted{Reason: network.ReasonSubscription}
	runDecide(t, []decideCase{
		{name: "provisioning", given: []events.Payload{registered}, decide: decide, want: []events.Payload{network.Activated{}}},
		{name: "active", given: []events.Payload{registered, network.Activated{}}, decide: decide},
		{name: "not registered", decide: decide, err: network.ErrWrongState},
		{name: "deprovisioning", given: []events.Payload{registered, deprovisioning}, decide: decide, err: network.ErrWrongState},
		{name: "deprovisioned", given: []events.Payload{registered, deprovisioning, network.Deprovisioned{}}, decide: decide, err: network.ErrWrongState},
	})
}
