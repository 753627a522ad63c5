package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// A tenant's sealed email opens to the email; once the tenant's key is
// destroyed, it is not found.
func TestOpenEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	d := f.enroll(alice)
	sealed := f.log(tenant.Type, d.TenantID.String())[0].(tenant.Created).Email
	email, err := f.app.OpenEmail(ctx, tenants.OpenEmail{Sealed: sealed})
	if err != nil || string(email) != alice {
		t.Fatalf("opened %q (%v), want %q", email, err, alice)
	}
	must(t, f.app.ShredTenant(ctx, tenants.ShredTenant{TenantID: d.TenantID}))
	_, err = f.app.OpenEmail(ctx, tenants.OpenEmail{Sealed: sealed})
	wantRefused(t, err, tenants.NotFound, "tenant not found")
}
