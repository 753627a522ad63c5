package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestMarkDeprovisioned(t *testing.T) {
	decide := network.MarkDeprovisioned{}.Decide
	started := network.DeprovisioningStarted{Reason: network.ReasonUser}
	runDecide(t, []decideCase{
		{name: "deprovisioning", given: []events.Payload{registered, network.Activated{}, started}, decide: decide,
			want: []events.Payload{network.Deprovisioned{}}},
		{name: "deprovisioned", given: []events.Payload{registered, started, network.Deprovisioned{}}, decide: decide},
		{name: "provisioning", given: []events.Payload{registered}, decide: decide, err: network.ErrWrongState},
		{name: "active", given: []events.Payload{registered, network.Activated{}}, decide: decide, err: network.ErrWrongState},
		{name: "not registered", decide: decide, err: network.ErrWrongState},
	})
}
