package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRemoveNetwork(t *testing.T) {
	t.Parallel()
	cmd := tenant.RemoveNetwork{NetworkID: net1}
	removed := []events.Payload{tenant.NetworkRemoved{NetworkID: net1}}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never created", Cmd: cmd},
		{Name: "not added", Given: with(created, tenant.NetworkAdded{NetworkID: net2}), Cmd: cmd},
		{Name: "added", Given: with(created, tenant.NetworkAdded{NetworkID: net1}), Cmd: cmd, Want: removed},
		{Name: "removed already", Given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.NetworkRemoved{NetworkID: net1}), Cmd: cmd},
		{Name: "deregistered", Given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.Deregistered{}), Cmd: cmd, Want: removed},
	})
}
