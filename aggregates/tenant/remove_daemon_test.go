package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRemoveDaemon(t *testing.T) {
	t.Parallel()
	cmd := tenant.RemoveDaemon{RegistrationID: daemon1}
	removed := []events.Payload{tenant.DaemonRemoved{RegistrationID: daemon1}}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never created", Cmd: cmd},
		{Name: "not added", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon2}), Cmd: cmd},
		{Name: "added", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}), Cmd: cmd, Want: removed},
		{Name: "removed already", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}, tenant.DaemonRemoved{RegistrationID: daemon1}), Cmd: cmd},
		{Name: "deregistered", Given: with(created, tenant.DaemonAdded{RegistrationID: daemon1}, tenant.Deregistered{}), Cmd: cmd, Want: removed},
	})
}
