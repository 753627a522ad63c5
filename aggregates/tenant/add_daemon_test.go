package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestAddDaemon(t *testing.T) {
	t.Parallel()
	add := func(id ids.RegistrationID, e plan.Entitlement) tenant.AddDaemon {
		return tenant.AddDaemon{RegistrationID: id, Entitlement: e}
	}
	added := func(id ids.RegistrationID) []events.Payload {
		return []events.Payload{tenant.DaemonAdded{RegistrationID: id}}
	}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never created", Cmd: add(daemon1, trial), Err: tenant.ErrNotFound},
		{Name: "first within trial", Given: created, Cmd: add(daemon1, trial), Want: added(daemon1)},
		{Name: "trial full", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}), Cmd: add(daemon2, trial), Err: tenant.ErrDaemonLimit},
		{Name: "second within two", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}), Cmd: add(daemon2, two), Want: added(daemon2)},
		{Name: "no subscription allows nothing", Given: created, Cmd: add(daemon1, plan.Entitlement{}), Err: tenant.ErrDaemonLimit},
		{Name: "same daemon again", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}), Cmd: add(daemon1, trial)},
		{Name: "removed daemon frees its place", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}, tenant.DaemonRemoved{RegistrationID: daemon1}), Cmd: add(daemon2, trial), Want: added(daemon2)},
		{Name: "networks do not count", Given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.NetworkAdded{NetworkID: net2}), Cmd: add(daemon1, trial), Want: added(daemon1)},
		{Name: "deregistered", Given: with(created, tenant.Deregistered{}), Cmd: add(daemon1, two), Err: tenant.ErrClosed},
		{Name: "swept", Given: with(created, tenant.Deregistered{}, tenant.Swept{}), Cmd: add(daemon1, two), Err: tenant.ErrClosed},
	})
}
