package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// A closed subscription starts deprovisioning every network of the
// tenant, for that reason; a network on its way out already keeps its
// reason.
func TestDeprovisionNetworks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	cause := f.closeSubscription(d.TenantID)
	deprovision := tenants.DeprovisionNetworks{Cause: cause, TenantID: d.TenantID, Reason: network.ReasonSubscription}
	for range 2 {
		must(t, f.app.DeprovisionNetworks(ctx, deprovision))
	}
	f.wantLog(network.Type, n.ID.String(), f.log(network.Type, n.ID.String())[0],
		network.DeprovisioningStarted{Reason: network.ReasonSubscription})

	other, o := f.register(f.enroll(newEmail("bob")), "bobs-lab")
	must(t, f.app.DeleteNetwork(ctx, tenants.DeleteNetwork{TenantID: o.TenantID, Slug: "bobs-lab"}))
	must(t, f.app.DeprovisionNetworks(ctx, tenants.DeprovisionNetworks{Cause: f.closeSubscription(o.TenantID), TenantID: o.TenantID, Reason: network.ReasonSubscription}))
	f.wantLog(network.Type, other.ID.String(), f.log(network.Type, other.ID.String())[0],
		network.DeprovisioningStarted{Reason: network.ReasonUser})
}
