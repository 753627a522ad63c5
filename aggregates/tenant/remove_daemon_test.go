package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRemoveDaemon(t *testing.T) {
	t.Parallel()
	cmd := tenant.RemoveDaemon{DaemonID: daemon1}
	removed := []events.Payload{tenant.DaemonRemoved{DaemonID: daemon1}}
	runDecide(t, []decideCase{
		{name: "never created", cmd: cmd},
		{name: "not added", given: with(created, tenant.DaemonAdded{DaemonID: daemon2}), cmd: cmd},
		{name: "added", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}), cmd: cmd, want: removed},
		{name: "removed already", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}, tenant.DaemonRemoved{DaemonID: daemon1}), cmd: cmd},
		{name: "deregistered", given: with(created, tenant.DaemonAdded{DaemonID: daemon1}, tenant.Deregistered{}), cmd: cmd, want: removed},
	})
}
