package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
)

// A deprovisioned network lets go of its slug and its daemons and stops
// counting against its tenant, in one append, once; a network that is not
// deprovisioned keeps them.
func TestReleaseNetwork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	id := n.ID.String()
	must(t, f.app.DeleteNetwork(ctx, tenants.DeleteNetwork{TenantID: d.TenantID, Slug: "alices-lab"}))
	end := f.lastSeq()
	must(t, f.app.ReleaseNetwork(ctx, tenants.ReleaseNetwork{Cause: f.cause(network.Type, id, network.DeprovisioningStarted{}), NetworkID: n.ID}))
	if f.lastSeq() != end {
		t.Fatal("a deprovisioning network was released")
	}

	must(t, f.app.MarkNetworkDeprovisioned(ctx, tenants.MarkNetworkDeprovisioned{Meta: events.Meta{Actor: "test:dns"}, NetworkID: n.ID}))
	for range 2 {
		must(t, f.app.ReleaseNetwork(ctx, tenants.ReleaseNetwork{Cause: f.cause(network.Type, id, network.Deprovisioned{}), NetworkID: n.ID}))
	}
	released := f.records(reservation.SlugType, "alices-lab")[1]
	removed := f.records(daemon.Type, d.Key.Fingerprint().String())[2]
	tenantRecs := f.records(tenant.Type, d.TenantID.String())
	if released.Data != (reservation.Released{Owner: n.ID.String()}) ||
		removed.Data != (daemon.Removed{RegistrationID: n.DaemonID, NetworkID: n.ID, Reason: daemon.ReasonNetworkDeprovisioned}) ||
		len(tenantRecs) != 5 || tenantRecs[3].Data != (tenant.DaemonRemoved{RegistrationID: n.DaemonID}) ||
		tenantRecs[4].Data != (tenant.NetworkRemoved{NetworkID: n.ID}) {
		t.Errorf("released %#v, removed %#v, tenant log %v", released.Data, removed.Data, tenantRecs)
	}
	f.wantOneAppend(released, removed, tenantRecs[3], tenantRecs[4])
	if ok, err := f.app.CheckAvailability(ctx, tenants.CheckAvailability{Slug: "alices-lab"}); !ok || err != nil {
		t.Errorf("the slug of a released network is not available (%v)", err)
	}
}
