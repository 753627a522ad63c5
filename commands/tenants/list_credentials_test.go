package tenants_test

import (
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// The live credentials of the tenant's network, oldest first, without
// their secrets; another tenant's network is not found.
func TestListCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	_, bob := f.register(f.enroll(newEmail("bob")), "bobs-lab")
	list := func(caller tenants.Daemon, slug string) ([]tenants.CredentialInfo, error) {
		return f.app.ListCredentials(ctx, tenants.ListCredentials{TenantID: caller.TenantID, Slug: slug})
	}
	if got, err := list(d, "alices-lab"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no credentials: %#v (%v)", got, err)
	}
	var issued []tenants.IssuedCredential
	for range 3 {
		c, err := f.app.IssueCredential(ctx, tenants.IssueCredential{TenantID: d.TenantID, Slug: "alices-lab"})
		must(t, err)
		issued = append(issued, c)
	}
	must(t, f.app.RevokeCredential(ctx, tenants.RevokeCredential{TenantID: d.TenantID, Slug: "alices-lab", CredentialID: issued[1].ID.String()}))
	recs := f.records(network.Type, n.ID.String())
	want := []tenants.CredentialInfo{
		{ID: issued[0].ID, Kind: network.CredentialUpdate, Username: issued[0].Username, Issued: recs[1].Time},
		{ID: issued[2].ID, Kind: network.CredentialUpdate, Username: issued[2].Username, Issued: recs[3].Time},
	}
	got, err := list(d, "alices-lab")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("listed %+v, want %+v", got, want)
	}
	_, err = list(bob, "alices-lab")
	wantRefused(t, err, tenants.NotFound, "network not found")
}
