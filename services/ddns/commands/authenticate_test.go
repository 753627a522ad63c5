package commands_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/services/ddns/commands"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	update := f.issue(home, network.CredentialUpdate)
	acme := f.issue(home, network.CredentialACMEDNS)

	c := f.client(update, network.CredentialUpdate)
	want := commands.Client{CredentialID: update.id, Kind: network.CredentialUpdate, NetworkID: home.id,
		TenantID: c.TenantID, Slug: "home"}
	if c != want || c.TenantID.String() != home.daemon.TenantID {
		t.Fatalf("client %+v, want %+v of tenant %s", c, want, home.daemon.TenantID)
	}
	if c := f.client(acme, network.CredentialACMEDNS); c.CredentialID != acme.id || c.Kind != network.CredentialACMEDNS {
		t.Fatalf("acme-dns client %+v", c)
	}

	revoked := f.issue(home, network.CredentialUpdate)
	f.revoke(home, revoked)
	far := f.register("far", "euc")
	farCred := f.issue(far, network.CredentialUpdate)
	gone := f.register("gone", "local")
	goneCred := f.issue(gone, network.CredentialUpdate)
	f.appendNetwork(gone, network.DeprovisioningStarted{Reason: network.ReasonUser})

	for _, tc := range []struct {
		name             string
		username, secret string
		kind             network.CredentialKind
		err              error
	}{
		{"wrong secret", update.username, acme.secret, network.CredentialUpdate, commands.ErrBadCredentials},
		{"secret of another case", update.username, strings.ToUpper(update.secret), network.CredentialUpdate, commands.ErrBadCredentials},
		{"unknown username", "home-zzzzzzzz", update.secret, network.CredentialUpdate, commands.ErrBadCredentials},
		{"no username", "", update.secret, network.CredentialUpdate, commands.ErrBadCredentials},
		{"no secret", update.username, "", network.CredentialUpdate, commands.ErrBadCredentials},
		{"huge secret", update.username, strings.Repeat("x", 2000), network.CredentialUpdate, commands.ErrBadCredentials},
		{"huge username", strings.Repeat("x", 100), update.secret, network.CredentialUpdate, commands.ErrBadCredentials},
		{"an update credential for acme-dns", update.username, update.secret, network.CredentialACMEDNS, commands.ErrBadCredentials},
		{"an acme-dns account for dyndns2", acme.username, acme.secret, network.CredentialUpdate, commands.ErrBadCredentials},
		{"revoked", revoked.username, revoked.secret, network.CredentialUpdate, commands.ErrBadCredentials},
		{"network being deprovisioned", goneCred.username, goneCred.secret, network.CredentialUpdate, commands.ErrBadCredentials},
		{"network of another region", farCred.username, farCred.secret, network.CredentialUpdate, commands.ErrNotServedHere},
	} {
		if c, err := f.cmds.Authenticate(ctx, tc.username, tc.secret, tc.kind); !errors.Is(err, tc.err) {
			t.Errorf("%s: %+v, %v; want %v", tc.name, c, err, tc.err)
		}
	}
}
