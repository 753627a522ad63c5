package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestAddNetwork(t *testing.T) {
	t.Parallel()
	add := func(id naming.ID, e naming.Entitlement) tenant.AddNetwork {
		return tenant.AddNetwork{NetworkID: id, Entitlement: e}
	}
	added := func(id naming.ID) []events.Payload { return []events.Payload{tenant.NetworkAdded{NetworkID: id}} }
	runDecide(t, []decideCase{
		{name: "never created", cmd: add(net1, trial), err: tenant.ErrNotFound},
		{name: "first within trial", given: created, cmd: add(net1, trial), want: added(net1)},
		{name: "trial full", given: with(created, tenant.NetworkAdded{NetworkID: net1}), cmd: add(net2, trial), err: tenant.ErrNetworkLimit},
		{name: "second within two", given: with(created, tenant.NetworkAdded{NetworkID: net1}), cmd: add(net2, two), want: added(net2)},
		{name: "no subscription allows nothing", given: created, cmd: add(net1, naming.Entitlement{}), err: tenant.ErrNetworkLimit},
		{name: "same network again", given: with(created, tenant.NetworkAdded{NetworkID: net1}), cmd: add(net1, trial)},
		{name: "removed network frees its place", given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.NetworkRemoved{NetworkID: net1}), cmd: add(net2, trial), want: added(net2)},
		{name: "daemons do not count", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}, tenant.DaemonAdded{DaemonID: daemon2}), cmd: add(net1, trial), want: added(net1)},
		{name: "deregistered", given: with(created, tenant.Deregistered{}), cmd: add(net1, two), err: tenant.ErrClosed},
		{name: "swept", given: with(created, tenant.Deregistered{}, tenant.Swept{}), cmd: add(net1, two), err: tenant.ErrClosed},
	})
}
