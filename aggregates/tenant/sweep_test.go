package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestSweep(t *testing.T) {
	t.Parallel()
	deregistered := with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.DaemonAdded{DaemonID: daemon1}, tenant.Deregistered{})
	runDecide(t, []decideCase{
		{name: "never created", cmd: tenant.Sweep{}, err: tenant.ErrNotFound},
		{name: "live", given: created, cmd: tenant.Sweep{}, err: tenant.ErrNotDeregistered},
		{name: "network remains", given: deregistered, cmd: tenant.Sweep{}, err: tenant.ErrNetworksRemain},
		{name: "network deprovisioned", given: with(deregistered, tenant.NetworkRemoved{NetworkID: net1}), cmd: tenant.Sweep{}, want: []events.Payload{tenant.Swept{}}},
		{name: "never had a network", given: with(created, tenant.Deregistered{}), cmd: tenant.Sweep{}, want: []events.Payload{tenant.Swept{}}},
		{name: "swept already", given: with(created, tenant.Deregistered{}, tenant.Swept{}), cmd: tenant.Sweep{}},
	})
}
