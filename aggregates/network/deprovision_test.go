package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestDeprovision(t *testing.T) {
	user := network.Deprovision{Reason: network.ReasonUser}
	started := network.DeprovisioningStarted{Reason: network.ReasonDeregistered}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "provisioning", Given: []events.Payload{registered}, Cmd: user,
			Want: []events.Payload{network.DeprovisioningStarted{Reason: network.ReasonUser}}},
		{Name: "active", Given: []events.Payload{registered, network.Activated{}}, Cmd: network.Deprovision{Reason: network.ReasonSubscription},
			Want: []events.Payload{network.DeprovisioningStarted{Reason: network.ReasonSubscription}}},
		{Name: "deprovisioning", Given: []events.Payload{registered, started}, Cmd: user},
		{Name: "deprovisioned", Given: []events.Payload{registered, started, network.Deprovisioned{}}, Cmd: user},
		{Name: "not registered", Cmd: user, Err: network.ErrWrongState},
		{Name: "unknown reason", Given: []events.Payload{registered}, Cmd: network.Deprovision{Reason: "bored"}, Err: aggregatetest.ErrAny},
		{Name: "no reason", Given: []events.Payload{registered}, Cmd: network.Deprovision{}, Err: aggregatetest.ErrAny},
	})
}
