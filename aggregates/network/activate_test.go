package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestActivate(t *testing.T) {
	cmd := network.Activate{}
	deprovisioning := network.DeprovisioningStarted{Reason: network.ReasonSubscription}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "provisioning", Given: []events.Payload{registered}, Cmd: cmd, Want: []events.Payload{network.Activated{}}},
		{Name: "active", Given: []events.Payload{registered, network.Activated{}}, Cmd: cmd},
		{Name: "not registered", Cmd: cmd, Err: network.ErrWrongState},
		{Name: "deprovisioning", Given: []events.Payload{registered, deprovisioning}, Cmd: cmd, Err: network.ErrWrongState},
		{Name: "deprovisioned", Given: []events.Payload{registered, deprovisioning, network.Deprovisioned{}}, Cmd: cmd, Err: network.ErrWrongState},
	})
}
