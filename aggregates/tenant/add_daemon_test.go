package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestAddDaemon(t *testing.T) {
	t.Parallel()
	add := func(id naming.ID, e naming.Entitlement) tenant.AddDaemon {
		return tenant.AddDaemon{DaemonID: id, Entitlement: e}
	}
	added := func(id naming.ID) []events.Payload { return []events.Payload{tenant.DaemonAdded{DaemonID: id}} }
	runDecide(t, []decideCase{
		{name: "never created", cmd: add(daemon1, trial), err: tenant.ErrNotFound},
		{name: "first within trial", given: created, cmd: add(daemon1, trial), want: added(daemon1)},
		{name: "trial full", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}), cmd: add(daemon2, trial), err: tenant.ErrDaemonLimit},
		{name: "second within two", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}), cmd: add(daemon2, two), want: added(daemon2)},
		{name: "no subscription allows nothing", given: created, cmd: add(daemon1, naming.Entitlement{}), err: tenant.ErrDaemonLimit},
		{name: "same daemon again", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}), cmd: add(daemon1, trial)},
		{name: "removed daemon frees its place", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}, tenant.DaemonRemoved{DaemonID: daemon1}), cmd: add(daemon2, trial), want: added(daemon2)},
		{name: "networks do not count", given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.NetworkAdded{NetworkID: net2}), cmd: add(daemon1, trial), want: added(daemon1)},
		{name: "deregistered", given: with(created, tenant.Deregistered{}), cmd: add(daemon1, two), err: tenant.ErrClosed},
		{name: "swept", given: with(created, tenant.Deregistered{}, tenant.Swept{}), cmd: add(daemon1, two), err: tenant.ErrClosed},
	})
}
