package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// Deleting a network starts its deprovisioning (reason user), once; a
// network that is not the tenant's is not found, like a missing one.
func TestDeleteNetwork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	f.register(f.enroll(newEmail("bob")), "bobs-lab")
	for _, slug := range []string{"bobs-lab", "free-lab", "Bad Slug"} {
		err := f.app.DeleteNetwork(ctx, tenants.DeleteNetwork{TenantID: d.TenantID, Slug: slug})
		wantRefused(t, err, tenants.NotFound, "network not found")
	}
	for range 2 {
		must(t, f.app.DeleteNetwork(ctx, tenants.DeleteNetwork{TenantID: d.TenantID, Slug: "alices-lab"}))
	}
	f.wantLog(network.Type, n.ID.String(), f.log(network.Type, n.ID.String())[0],
		network.DeprovisioningStarted{Reason: network.ReasonUser})
}
