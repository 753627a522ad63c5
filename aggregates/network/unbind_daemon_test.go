package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestUnbindDaemon(t *testing.T) {
	unbind1 := network.UnbindDaemon{RegistrationID: daemon1}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "bound", Given: []events.Payload{registered}, Cmd: unbind1,
			Want: []events.Payload{network.DaemonUnbound{RegistrationID: daemon1}}},
		{Name: "bound while deprovisioned", Given: []events.Payload{registered, network.DeprovisioningStarted{Reason: network.ReasonUser}, network.Deprovisioned{}},
			Cmd: unbind1, Want: []events.Payload{network.DaemonUnbound{RegistrationID: daemon1}}},
		{Name: "already unbound", Given: []events.Payload{registered, network.DaemonUnbound{RegistrationID: daemon1}}, Cmd: unbind1},
		{Name: "other daemon", Given: []events.Payload{registered}, Cmd: network.UnbindDaemon{RegistrationID: daemon2}},
		{Name: "not registered", Cmd: unbind1},
	})
}
