package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// Revoking a live credential of the tenant's network records it; anything
// else is not found: a revoked credential, an unknown or malformed id,
// another tenant's network.
func TestRevokeCredential(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	_, bob := f.register(f.enroll(newEmail("bob")), "bobs-lab")
	c, err := f.app.IssueCredential(ctx, tenants.IssueCredential{TenantID: d.TenantID, Slug: "alices-lab"})
	must(t, err)
	revoke := func(caller tenants.Daemon, slug, id string) error {
		return f.app.RevokeCredential(ctx, tenants.RevokeCredential{TenantID: caller.TenantID, Slug: slug, CredentialID: id})
	}
	wantRefused(t, revoke(bob, "alices-lab", c.ID.String()), tenants.NotFound, "network not found")
	must(t, revoke(d, "alices-lab", c.ID.String()))
	log := f.log(network.Type, n.ID.String())
	if log[len(log)-1] != (network.UpdateCredentialRevoked{CredentialID: c.ID}) {
		t.Errorf("network log ends with %#v", log[len(log)-1])
	}
	for _, id := range []string{c.ID.String(), ids.New[ids.CredentialID]().String(), "not-an-id"} {
		wantRefused(t, revoke(d, "alices-lab", id), tenants.NotFound, "credential not found")
	}
}
