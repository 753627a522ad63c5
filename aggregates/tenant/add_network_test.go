package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestAddNetwork(t *testing.T) {
	t.Parallel()
	add := func(id ids.NetworkID, e plan.Entitlement) tenant.AddNetwork {
		return tenant.AddNetwork{NetworkID: id, Entitlement: e}
	}
	added := func(id ids.NetworkID) []events.Payload { return []events.Payload{tenant.NetworkAdded{NetworkID: id}} }
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never created", Cmd: add(net1, trial), Err: tenant.ErrNotFound},
		{Name: "first within trial", Given: created, Cmd: add(net1, trial), Want: added(net1)},
		{Name: "trial full", Given: with(created, tenant.NetworkAdded{NetworkID: net1}), Cmd: add(net2, trial), Err: tenant.ErrNetworkLimit},
		{Name: "second within two", Given: with(created, tenant.NetworkAdded{NetworkID: net1}), Cmd: add(net2, two), Want: added(net2)},
		{Name: "no subscription allows nothing", Given: created, Cmd: add(net1, plan.Entitlement{}), Err: tenant.ErrNetworkLimit},
		{Name: "same network again", Given: with(created, tenant.NetworkAdded{NetworkID: net1}), Cmd: add(net1, trial)},
		{Name: "removed network frees its place", Given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.NetworkRemoved{NetworkID: net1}), Cmd: add(net2, trial), Want: added(net2)},
		{Name: "daemons do not count", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}, tenant.DaemonAdded{RegistrationID: daemon2}), Cmd: add(net1, trial), Want: added(net1)},
		{Name: "deregistered", Given: with(created, tenant.Deregistered{}), Cmd: add(net1, two), Err: tenant.ErrClosed},
		{Name: "swept", Given: with(created, tenant.Deregistered{}, tenant.Swept{}), Cmd: add(net1, two), Err: tenant.ErrClosed},
	})
}
