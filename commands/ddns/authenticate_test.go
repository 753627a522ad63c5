package ddns_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	update := f.issue(home, network.CredentialUpdate)
	acme := f.issue(home, network.CredentialACMEDNS)

	c := f.client(update, network.CredentialUpdate)
	want := ddns.Client{CredentialID: update.id, Kind: network.CredentialUpdate, NetworkID: home.id,
		TenantID: c.TenantID, Slug: "home"}
	if c != want || c.TenantID != home.daemon.TenantID {
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
		{"wrong secret", update.username, acme.secret, network.CredentialUpdate, ddns.ErrBadCredentials},
		{"secret of another case", update.username, strings.ToUpper(update.secret), network.CredentialUpdate, ddns.ErrBadCredentials},
		{"unknown username", "home-zzzzzzzz", update.secret, network.CredentialUpdate, ddns.ErrBadCredentials},
		{"no username", "", update.secret, network.CredentialUpdate, ddns.ErrBadCredentials},
		{"no secret", update.username, "", network.CredentialUpdate, ddns.ErrBadCredentials},
		{"huge secret", update.username, strings.Repeat("x", 2000), network.CredentialUpdate, ddns.ErrBadCredentials},
		{"huge username", strings.Repeat("x", 100), update.secret, network.CredentialUpdate, ddns.ErrBadCredentials},
		{"an update credential for acme-dns", update.username, update.secret, network.CredentialACMEDNS, ddns.ErrBadCredentials},
		{"an acme-dns account for dyndns2", acme.username, acme.secret, network.CredentialUpdate, ddns.ErrBadCredentials},
		{"revoked", revoked.username, revoked.secret, network.CredentialUpdate, ddns.ErrBadCredentials},
		{"network being deprovisioned", goneCred.username, goneCred.secret, network.CredentialUpdate, ddns.ErrBadCredentials},
		{"network of another region", farCred.username, farCred.secret, network.CredentialUpdate, ddns.ErrNotServedHere},
	} {
		if c, err := f.cmds.Authenticate(ctx, ddns.Authenticate{Username: tc.username, Secret: tc.secret, Kind: tc.kind}); !errors.Is(err, tc.err) {
			t.Errorf("%s: %+v, %v; want %v", tc.name, c, err, tc.err)
		}
	}
}

// A credential issued before secrets were stored as their SHA-256 has an
// argon2id hash, which still verifies.
func TestAuthenticateArgon2idCredential(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := f.register("home", "local")
	argon2id := func(secret string) (string, error) { return passwords.NewHasher(1).Hash(t.Context(), secret) }
	old := f.issueHashed(home, network.CredentialUpdate, argon2id)
	if err := f.reader.SyncNetwork(t.Context(), home.id); err != nil {
		t.Fatal(err)
	}
	if c := f.client(old, network.CredentialUpdate); c.CredentialID != old.id {
		t.Fatalf("client %+v", c)
	}
	if _, err := f.cmds.Authenticate(t.Context(), ddns.Authenticate{Username: old.username, Secret: old.secret + "x", Kind: network.CredentialUpdate}); !errors.Is(err, ddns.ErrBadCredentials) {
		t.Fatalf("wrong secret: %v", err)
	}
}

// A client sees its own writes: a credential is good the moment its issue
// is in the log, though the projection trails it. A username nobody has is
// refused without waiting when the projection is at the log's newest
// network event, even with reports after it, which the projection does not
// read.
func TestAuthenticateReadsItsWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	for i := range 20 {
		kind := []network.CredentialKind{network.CredentialUpdate, network.CredentialACMEDNS}[i%2]
		c := f.issueOnly(home, kind)
		if cl, err := f.cmds.Authenticate(ctx, ddns.Authenticate{Username: c.username, Secret: c.secret, Kind: kind}); err != nil || cl.CredentialID != c.id {
			t.Fatalf("issue %d (%s): %+v, %v", i, kind, cl, err)
		}
	}

	c := f.client(f.issue(home, network.CredentialUpdate), network.CredentialUpdate)
	if _, err := f.cmds.UpdateAddress(ctx, ddns.UpdateAddress{Client: c, Addresses: []netip.Addr{ip("203.0.114.7")}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		start := time.Now()
		_, err := f.cmds.Authenticate(ctx, ddns.Authenticate{Username: "home-zzzzzzzz", Secret: "secret", Kind: network.CredentialUpdate})
		if took := time.Since(start); !errors.Is(err, ddns.ErrBadCredentials) || took > credentials.DefaultSyncTimeout/2 {
			t.Fatalf("unknown username: %v after %s; want bad credentials at once", err, took)
		}
	}
}

// A projection that does not reach the log in time cannot tell a username
// nobody has from one issued a moment ago: the answer is a failure to try
// again (dyndns2 911, acme-dns 500), not bad credentials. A username it has
// is good all the same.
func TestAuthenticateBehind(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	known := f.issue(home, network.CredentialUpdate)
	f.stopProjector()
	fresh := f.issueOnly(home, network.CredentialUpdate)

	start := time.Now()
	_, err := f.cmds.Authenticate(ctx, ddns.Authenticate{Username: fresh.username, Secret: fresh.secret, Kind: network.CredentialUpdate})
	if took := time.Since(start); !errors.Is(err, ddns.ErrUnavailable) || !errors.Is(err, credentials.ErrBehind) ||
		errors.Is(err, ddns.ErrBadCredentials) ||
		took < credentials.DefaultSyncTimeout || took > 3*credentials.DefaultSyncTimeout {
		t.Fatalf("a credential the projection has not applied: %v after %s; want ErrUnavailable after the timeout", err, took)
	}
	if _, err := f.cmds.Authenticate(ctx, ddns.Authenticate{Username: known.username, Secret: known.secret, Kind: network.CredentialUpdate}); err != nil {
		t.Fatalf("a credential the projection has: %v", err)
	}
	// What cannot be an acme-dns account (its username is its id, its key
	// 40 characters) is refused at once, without looking it up.
	for _, c := range []ddns.Authenticate{
		{Username: "hals-lab", Secret: strings.Repeat("k", 40)},
		{Username: ids.New[ids.CredentialID]().String(), Secret: strings.Repeat("k", 39)},
		{Username: ids.New[ids.CredentialID]().String(), Secret: strings.Repeat("k", 41)},
	} {
		c.Kind = network.CredentialACMEDNS
		start := time.Now()
		_, err := f.cmds.Authenticate(ctx, c)
		if took := time.Since(start); !errors.Is(err, ddns.ErrBadCredentials) || took > credentials.DefaultSyncTimeout/2 {
			t.Errorf("acme-dns %q with a key of %d: %v after %s; want bad credentials at once", c.Username, len(c.Secret), err, took)
		}
	}
}
