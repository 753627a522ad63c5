package ddns_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

var acmePassword = regexp.MustCompile(`^[A-Za-z0-9_-]{40}$`)

// An update credential registers acme-dns accounts for its network: a
// credential of kind acme_dns whose username is its id, which then
// authenticates as acme-dns; at most network.MaxCredentials of them.
func TestRegisterACME(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	c := f.client(f.issue(home, network.CredentialUpdate), network.CredentialUpdate)

	acc, err := f.cmds.RegisterACME(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.Parse[ids.CredentialID](acc.Username); err != nil || !acmePassword.MatchString(acc.Password) ||
		acc.FullDomain != "_acme-challenge.home."+zone || acc.Subdomain != "home" {
		t.Fatalf("account %+v (password of %d characters)", acc, len(acc.Password))
	}
	// In the log: the hash of the password, on the network's aggregate,
	// caused by the credential.
	var found bool
	for rec, err := range f.store.Load(ctx, events.MustRef(network.Type, home.id.String()), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := rec.Data.(network.UpdateCredentialIssued); ok && e.Username == acc.Username {
			found = true
			if e.Kind != network.CredentialACMEDNS || e.CredentialID.String() != acc.Username {
				t.Errorf("issued %+v", e)
			}
			if ok, err := passwords.NewHasher(1).Verify(ctx, e.SecretHash, acc.Password); !ok || err != nil || !strings.HasPrefix(e.SecretHash, "$sha256$") {
				t.Errorf("the hash does not verify the password: %v", err)
			}
			if rec.Actor != "credential:"+c.CredentialID.String() || rec.TenantID != home.daemon.TenantID.String() {
				t.Errorf("actor %q, tenant %q", rec.Actor, rec.TenantID)
			}
		}
	}
	if !found {
		t.Fatal("no acme_dns credential in the log")
	}
	// At once: Authenticate waits for the projection to have the account.
	a := f.client(cred{username: acc.Username, secret: acc.Password}, network.CredentialACMEDNS)
	if a.NetworkID != home.id || a.Slug != "home" {
		t.Fatalf("the account authenticates as %+v", a)
	}
	// An account registers nothing.
	if _, err := f.cmds.RegisterACME(ctx, a); !errors.Is(err, ddns.ErrBadCredentials) {
		t.Errorf("registered with an account: %v", err)
	}

	for range network.MaxCredentials - 1 {
		if _, err := f.cmds.RegisterACME(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.cmds.RegisterACME(ctx, c); !errors.Is(err, ddns.ErrAccountLimit) {
		t.Fatalf("beyond the limit: %v", err)
	}

	// A revoked credential registers nothing.
	revoked := f.issue(home, network.CredentialUpdate)
	rc := f.client(revoked, network.CredentialUpdate)
	f.revoke(home, revoked)
	if _, err := f.cmds.RegisterACME(ctx, rc); !errors.Is(err, ddns.ErrBadCredentials) {
		t.Errorf("registered with a revoked credential: %v", err)
	}
}
