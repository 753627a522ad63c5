package tenants_test

import (
	"errors"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
)

// Shredding destroys the tenant's key: its email and password hash in the
// log can no longer be opened. Shredding again is no error.
func TestShredTenant(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	s := f.signup(newEmail("alice"))
	id := s.TenantID.String()
	sealed := []string{
		string(f.log(tenant.Type, id)[0].(tenant.Created).Email),
		string(f.log(account.Type, id)[0].(account.PasswordSet).Hash),
	}
	for range 2 {
		must(t, f.app.ShredTenant(ctx, tenants.ShredTenant{TenantID: s.TenantID}))
	}
	for _, c := range sealed {
		if _, err := f.keys.Open(ctx, c); !errors.Is(err, datakeys.ErrShredded) {
			t.Errorf("open after shredding: %v", err)
		}
	}
}
