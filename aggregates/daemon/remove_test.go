package daemon_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRemove(t *testing.T) {
	self := daemon.Remove{Reason: daemon.ReasonSelf}.Decide
	reg := []events.Payload{enrolled(tenantA, t0), registeredIn(net1)}
	runDecide(t, []decideCase{
		{name: "registered", given: reg, decide: self,
			want: []events.Payload{daemon.Removed{DaemonID: daemonID, NetworkID: net1, Reason: daemon.ReasonSelf}}},
		{name: "registered to the given network", given: reg, decide: daemon.Remove{Reason: daemon.ReasonNetworkDeprovisioned, NetworkID: net1}.Decide,
			want: []events.Payload{daemon.Removed{DaemonID: daemonID, NetworkID: net1, Reason: daemon.ReasonNetworkDeprovisioned}}},
		{name: "registered to another network", given: reg, decide: daemon.Remove{Reason: daemon.ReasonNetworkDeprovisioned, NetworkID: net2}.Decide},
		{name: "already removed", given: append(reg, daemon.Removed{DaemonID: daemonID, NetworkID: net1, Reason: daemon.ReasonSelf}), decide: self},
		{name: "only pending", given: []events.Payload{enrolled(tenantA, t0)}, decide: self},
		{name: "unknown key", decide: self},
		{name: "unknown reason", given: reg, decide: daemon.Remove{Reason: "bored"}.Decide, err: errAny},
	})
}
