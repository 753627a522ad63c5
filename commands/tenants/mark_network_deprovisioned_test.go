package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
)

// Only a deprovisioning network can be marked deprovisioned, once.
func TestMarkNetworkDeprovisioned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	mark := tenants.MarkNetworkDeprovisioned{Meta: events.Meta{Actor: "test:dns"}, NetworkID: n.ID}
	wantRefused(t, f.app.MarkNetworkDeprovisioned(ctx, mark), tenants.Conflict, "network is not deprovisioning")
	must(t, f.app.DeleteNetwork(ctx, tenants.DeleteNetwork{TenantID: d.TenantID, Slug: "alices-lab"}))
	for range 2 {
		must(t, f.app.MarkNetworkDeprovisioned(ctx, mark))
	}
	log := f.log(network.Type, n.ID.String())
	f.wantLog(network.Type, n.ID.String(), log[0], log[1], network.Deprovisioned{})
}
