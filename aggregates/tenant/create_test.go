package tenant_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	cmd := tenant.Create{TenantID: tenantID, Email: sealed}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "new", Cmd: cmd, Want: []events.Payload{tenant.Created{TenantID: tenantID, Email: sealed}}},
		{Name: "live", Given: created, Cmd: cmd, Err: tenant.ErrExists},
		{Name: "deregistered", Given: with(created, tenant.Deregistered{}), Cmd: cmd, Err: tenant.ErrExists},
		{Name: "swept", Given: with(created, tenant.Deregistered{}, tenant.Swept{}), Cmd: cmd, Err: tenant.ErrExists},
	})
}
