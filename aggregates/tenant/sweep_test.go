package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestSweep(t *testing.T) {
	t.Parallel()
	deregistered := with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.DaemonAdded{RegistrationID: daemon1}, tenant.Deregistered{})
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never created", Cmd: tenant.Sweep{}, Err: tenant.ErrNotFound},
		{Name: "live", Given: created, Cmd: tenant.Sweep{}, Err: tenant.ErrNotDeregistered},
		{Name: "network remains", Given: deregistered, Cmd: tenant.Sweep{}, Err: tenant.ErrNetworksRemain},
		{Name: "network deprovisioned", Given: with(deregistered, tenant.NetworkRemoved{NetworkID: net1}), Cmd: tenant.Sweep{}, Want: []events.Payload{tenant.Swept{}}},
		{Name: "never had a network", Given: with(created, tenant.Deregistered{}), Cmd: tenant.Sweep{}, Want: []events.Payload{tenant.Swept{}}},
		{Name: "swept already", Given: with(created, tenant.Deregistered{}, tenant.Swept{}), Cmd: tenant.Sweep{}},
	})
}
