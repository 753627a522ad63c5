package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestDeregister(t *testing.T) {
	t.Parallel()
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never created", Cmd: tenant.Deregister{}, Err: tenant.ErrNotFound},
		{Name: "live", Given: created, Cmd: tenant.Deregister{}, Want: []events.Payload{tenant.Deregistered{}}},
		{Name: "live with networks", Given: with(created, tenant.NetworkAdded{NetworkID: net1}), Cmd: tenant.Deregister{}, Want: []events.Payload{tenant.Deregistered{}}},
		{Name: "deregistered again", Given: with(created, tenant.Deregistered{}), Cmd: tenant.Deregister{}},
		{Name: "swept", Given: with(created, tenant.Deregistered{}, tenant.Swept{}), Cmd: tenant.Deregister{}},
	})
}
