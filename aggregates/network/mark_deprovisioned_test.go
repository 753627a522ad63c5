package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestMarkDeprovisioned(t *testing.T) {
	cmd := network.MarkDeprovisioned{}
	started := network.DeprovisioningStarted{Reason: network.ReasonUser}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "deprovisioning", Given: []events.Payload{registered, network.Activated{}, started}, Cmd: cmd,
			Want: []events.Payload{network.Deprovisioned{}}},
		{Name: "deprovisioned", Given: []events.Payload{registered, started, network.Deprovisioned{}}, Cmd: cmd},
		{Name: "provisioning", Given: []events.Payload{registered}, Cmd: cmd, Err: network.ErrWrongState},
		{Name: "active", Given: []events.Payload{registered, network.Activated{}}, Cmd: cmd, Err: network.ErrWrongState},
		{Name: "not registered", Cmd: cmd, Err: network.ErrWrongState},
	})
}
