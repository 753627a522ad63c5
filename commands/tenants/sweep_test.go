package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
)

// Only a deregistered tenant without networks is swept, once.
func TestSweep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	live := f.enroll(newEmail("live"))
	_, holding := f.register(f.enroll(newEmail("holding")), "holding-lab")
	empty := f.enroll(newEmail("empty"))
	for _, d := range []tenants.Daemon{holding, empty} {
		must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: d.TenantID}))
	}
	sweep := func(d tenants.Daemon) []events.Payload {
		t.Helper()
		id := d.TenantID.String()
		cause := f.records(tenant.Type, id)[0]
		must(t, f.app.Sweep(ctx, tenants.Sweep{Cause: cause, TenantID: d.TenantID}))
		must(t, f.app.Sweep(ctx, tenants.Sweep{Cause: cause, TenantID: d.TenantID}))
		return f.log(tenant.Type, id)
	}
	for _, d := range []tenants.Daemon{live, holding} {
		if log := sweep(d); log[len(log)-1] == (tenant.Swept{}) {
			t.Errorf("swept %v", log)
		}
	}
	if log := sweep(empty); len(log) != 3 || log[2] != (tenant.Swept{}) {
		t.Errorf("the deregistered tenant without networks: %v", log)
	}
}
