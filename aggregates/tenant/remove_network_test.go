package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRemoveNetwork(t *testing.T) {
	t.Parallel()
	cmd := tenant.RemoveNetwork{NetworkID: net1}
	removed := []events.Payload{tenant.NetworkRemoved{NetworkID: net1}}
	runDecide(t, []decideCase{
		{name: "never created", cmd: cmd},
		{name: "not added", given: with(created, tenant.NetworkAdded{NetworkID: net2}), cmd: cmd},
		{name: "added", given: with(created, tenant.NetworkAdded{NetworkID: net1}), cmd: cmd, want: removed},
		{name: "removed already", given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.NetworkRemoved{NetworkID: net1}), cmd: cmd},
		{name: "deregistered", given: with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.Deregistered{}), cmd: cmd, want: removed},
	})
}
