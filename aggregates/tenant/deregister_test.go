package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestDeregister(t *testing.T) {
	t.Parallel()
	runDecide(t, []decideCase{
		{name: "never created", cmd: tenant.Deregister{}, err: tenant.ErrNotFound},
		{name: "live", given: created, cmd: tenant.Deregister{}, want: []events.Payload{tenant.Deregistered{}}},
		{name: "live with networks", given: with(created, tenant.NetworkAdded{NetworkID: net1}), cmd: tenant.Deregister{}, want: []events.Payload{tenant.Deregistered{}}},
		{name: "deregistered again", given: with(created, tenant.Deregistered{}), cmd: tenant.Deregister{}},
		{name: "swept", given: with(created, tenant.Deregistered{}, tenant.Swept{}), cmd: tenant.Deregister{}},
	})
}
