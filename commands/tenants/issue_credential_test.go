package tenants_test

import (
	"regexp"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// An update credential is issued on the tenant's live network, its secret
// answered once and stored as its hash, up to network.MaxCredentials; a
// network that is not the tenant's is not found, one on its way out gets
// none.
func TestIssueCredential(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	_, bob := f.register(f.enroll(newEmail("bob")), "bobs-lab")
	issue := func(tc tenants.Daemon, slug string) (tenants.IssuedCredential, error) {
		return f.app.IssueCredential(ctx, tenants.IssueCredential{TenantID: tc.TenantID, Slug: slug})
	}
	c, err := issue(d, "alices-lab")
	must(t, err)
	stored, _ := passwords.HashSecret(c.Secret)
	if !regexp.MustCompile(`^alices-lab-[a-z2-7]{8}$`).MatchString(c.Username) || len(c.Secret) != 43 || c.ID == "" {
		t.Errorf("issued %+v", c)
	}
	f.wantLog(network.Type, n.ID.String(), f.log(network.Type, n.ID.String())[0],
		network.UpdateCredentialIssued{CredentialID: c.ID, Kind: network.CredentialUpdate, Username: c.Username, SecretHash: stored})

	for _, tc := range []struct {
		name   string
		caller tenants.Daemon
		slug   string
	}{
		{"another tenant's network", bob, "alices-lab"},
		{"no network", d, "free-lab"},
		{"malformed slug", d, "Bad Slug"},
	} {
		_, err := issue(tc.caller, tc.slug)
		wantRefused(t, err, tenants.NotFound, "network not found")
	}
	for range network.MaxCredentials - 1 {
		_, err := issue(d, "alices-lab")
		must(t, err)
	}
	_, err = issue(d, "alices-lab")
	wantRefused(t, err, tenants.Conflict, "update credential limit reached")
	must(t, f.app.DeleteNetwork(ctx, tenants.DeleteNetwork{TenantID: bob.TenantID, Slug: "bobs-lab"}))
	_, err = issue(bob, "bobs-lab")
	wantRefused(t, err, tenants.Conflict, "network is being deprovisioned")
}
