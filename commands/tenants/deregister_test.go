package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// Deregistering closes the tenant and releases its email in one append,
// once: the email is free for a new tenant at once.
func TestDeregister(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	d := f.enroll(alice)
	for range 2 {
		must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: d.TenantID}))
	}
	id, index := d.TenantID.String(), f.emailIndex(alice)
	f.wantLog(tenant.Type, id, f.log(tenant.Type, id)[0], tenant.Deregistered{})
	f.wantLog(reservation.EmailType, index, reservation.Claimed{Owner: id}, reservation.Released{Owner: id})
	f.wantOneAppend(f.records(tenant.Type, id)[1], f.records(reservation.EmailType, index)[1])
	if again := f.enroll(alice); again.TenantID == d.TenantID {
		t.Error("the released email enrolled for the deregistered tenant")
	}
}
