package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// A slug is available when it is well formed, not reserved and not held
// by a network in any state.
func TestCheckAvailability(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	f.register(f.enroll(newEmail("held")), "held-home")
	_, leaving := f.register(f.enroll(newEmail("leaving")), "leaving-home")
	must(t, f.app.DeleteNetwork(ctx, tenants.DeleteNetwork{TenantID: leaving.TenantID, Slug: "leaving-home"}))
	for slug, want := range map[string]bool{
		"free-home":    true,
		"held-home":    false,
		"leaving-home": false,
		"www":          false,
		"Bad Slug":     false,
		"":             false,
	} {
		got, err := f.app.CheckAvailability(ctx, tenants.CheckAvailability{Slug: slug})
		if err != nil || got != want {
			t.Errorf("%q: available %v (%v), want %v", slug, got, err, want)
		}
	}
}
