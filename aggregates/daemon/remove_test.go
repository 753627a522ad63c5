package daemon_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRemove(t *testing.T) {
	self := daemon.Remove{Reason: daemon.ReasonSelf}
	reg := []events.Payload{enrolled(tenantA, t0), registeredIn(net1)}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "registered", Given: reg, Cmd: self,
			Want: []events.Payload{daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonSelf}}},
		{Name: "registered to the given network", Given: reg, Cmd: daemon.Remove{Reason: daemon.ReasonNetworkDeprovisioned, NetworkID: net1},
			Want: []events.Payload{daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonNetworkDeprovisioned}}},
		{Name: "registered to another network", Given: reg, Cmd: daemon.Remove{Reason: daemon.ReasonNetworkDeprovisioned, NetworkID: net2}},
		{Name: "already removed", Given: append(reg, daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonSelf}), Cmd: self},
		{Name: "only pending", Given: []events.Payload{enrolled(tenantA, t0)}, Cmd: self},
		{Name: "unknown key", Cmd: self},
		{Name: "unknown reason", Given: reg, Cmd: daemon.Remove{Reason: "bored"}, Err: aggregatetest.ErrAny},
	})
}
