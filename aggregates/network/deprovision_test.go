package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestDeprovision(t *testing.T) {
	user := network.Deprovision{Reason: network.ReasonUser}.Decide
	started := network.DeprovisioningStarted{Reason: network.ReasonDeregistered}
	runDecide(t, []decideCase{
		{name: "provisioning", given: []events.Payload{registered}, decide: user,
			want: []events.Payload{network.DeprovisioningStarted{Reason: network.ReasonUser}}},
		{name: "active", given: []events.Payload{registered, network.Activated{}}, decide: network.Deprovision{Reason: network.ReasonSubscription}.Decide,
			want: []events.Payload{network.DeprovisioningStarted{Reason: network.ReasonSubscription}}},
		{name: "deprovisioning", given: []events.Payload{registered, started}, decide: user},
		{name: "deprovisioned", given: []events.Payload{registered, started, network.Deprovisioned{}}, decide: user},
		{name: "not registered", decide: user, err: network.ErrWrongState},
		{name: "unknown reason", given: []events.Payload{registered}, decide: network.Deprovision{Reason: "bored"}.Decide, err: errAny},
		{name: "no reason", given: []events.Payload{registered}, decide: network.Deprovision{}.Decide, err: errAny},
	})
}
