package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestUnbindDaemon(t *testing.T) {
	unbind1 := network.UnbindDaemon{DaemonID: daemon1}.Decide
	runDecide(t, []decideCase{
		{name: "bound", given: []events.Payload{registered}, decide: unbind1,
			want: []events.Payload{network.DaemonUnbound{DaemonID: daemon1}}},
		{name: "bound while deprovisioned", given: []events.Payload{registered, network.DeprovisioningStarted{Reason: network.ReasonUser}, network.Deprovisioned{}},
			decide: unbind1, want: []events.Payload{network.DaemonUnbound{DaemonID: daemon1}}},
		{name: "already unbound", given: []events.Payload{registered, network.DaemonUnbound{DaemonID: daemon1}}, decide: unbind1},
		{name: "other daemon", given: []events.Payload{registered}, decide: network.UnbindDaemon{DaemonID: daemon2}.Decide},
		{name: "not registered", decide: unbind1},
	})
}
