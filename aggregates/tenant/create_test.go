package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	cmd := tenant.Create{TenantID: tenantID, Email: sealed}
	runDecide(t, []decideCase{
		{name: "new", cmd: cmd, want: []events.Payload{tenant.Created{TenantID: tenantID, Email: sealed}}},
		{name: "live", given: created, cmd: cmd, err: tenant.ErrExists},
		{name: "deregistered", given: with(created, tenant.Deregistered{}), cmd: cmd, err: tenant.ErrExists},
		{name: "swept", given: with(created, tenant.Deregistered{}, tenant.Swept{}), cmd: cmd, err: tenant.ErrExists},
	})
}
