package ddns_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
)

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestUpdateAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	other := f.register("other", "local")
	c := f.client(f.issue(home, network.CredentialUpdate), network.CredentialUpdate)

	for _, step := range []struct {
		addrs   []netip.Addr
		changed bool
	}{
		{[]netip.Addr{ip("203.0.114.7")}, true},
		{[]netip.Addr{ip("203.0.114.7")}, false},
		{[]netip.Addr{ip("203.0.114.7"), ip("2a01:4f8::1")}, true},
		{[]netip.Addr{ip("2a01:4f8::1"), ip("203.0.114.7")}, false},
		{[]netip.Addr{ip("203.0.114.8")}, true},
	} {
		changed, err := f.cmds.UpdateAddress(ctx, ddns.UpdateAddress{Client: c, Addresses: step.addrs})
		if err != nil || changed != step.changed {
			t.Fatalf("%v: changed %v, %v; want %v", step.addrs, changed, err, step.changed)
		}
	}
	f.wantDNS(home.id, addr("203.0.114.7"), addr("2a01:4f8::1"), addr("203.0.114.8"))
	f.wantDNS(other.id)

	for _, addrs := range [][]netip.Addr{
		nil,
		{ip("10.0.0.1")},
		{ip("203.0.114.9"), ip("127.0.0.1")},
		{ip("::ffff:203.0.114.9")},
		{ip("203.0.114.9"), ip("203.0.114.10")},
		{ip("2a01:4f8::2"), ip("2a01:4f8::3")},
		{ip("203.0.114.9"), ip("2a01:4f8::2"), ip("203.0.114.10")},
		{{}},
	} {
		if _, err := f.cmds.UpdateAddress(ctx, ddns.UpdateAddress{Client: c, Addresses: addrs}); !errors.Is(err, ddns.ErrBadAddress) {
			t.Errorf("%v: %v, want ErrBadAddress", addrs, err)
		}
	}
	f.wantDNS(home.id, addr("203.0.114.7"), addr("2a01:4f8::1"), addr("203.0.114.8"))
}

// The network aggregate has the last word: a client authenticated a moment
// before its credential was revoked, or its network left, or one forged
// for another network, changes nothing.
func TestUpdateAddressChecksTheNetwork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	other := f.register("other", "local")
	far := f.register("far", "euc")
	cred := f.issue(home, network.CredentialUpdate)
	c := f.client(cred, network.CredentialUpdate)
	acme := f.client(f.issue(home, network.CredentialACMEDNS), network.CredentialACMEDNS)

	forged := c
	forged.NetworkID = other.id // another tenant's network, without this credential
	otherTenant := c
	otherTenant.TenantID = ids.New[ids.TenantID]()
	// Authenticate refuses a credential of another region; one that got
	// past it (the projection behind) still meets the aggregate's region.
	farCred := f.issue(far, network.CredentialUpdate)
	farClient := ddns.Client{CredentialID: farCred.id, Kind: network.CredentialUpdate, NetworkID: far.id,
		TenantID: far.daemon.TenantID, Slug: "far"}

	for _, tc := range []struct {
		name   string
		client ddns.Client
		err    error
	}{
		{"another network", forged, ddns.ErrBadCredentials},
		{"another tenant", otherTenant, ddns.ErrBadCredentials},
		{"an acme-dns account", acme, ddns.ErrBadCredentials},
		{"a network of another region", farClient, ddns.ErrNotServedHere},
	} {
		if _, err := f.cmds.UpdateAddress(ctx, ddns.UpdateAddress{Client: tc.client, Addresses: []netip.Addr{ip("203.0.114.7")}}); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
	f.revoke(home, cred)
	if _, err := f.cmds.UpdateAddress(ctx, ddns.UpdateAddress{Client: c, Addresses: []netip.Addr{ip("203.0.114.7")}}); !errors.Is(err, ddns.ErrBadCredentials) {
		t.Errorf("revoked: %v", err)
	}
	live := f.client(f.issue(home, network.CredentialUpdate), network.CredentialUpdate)
	f.appendNetwork(home, network.DeprovisioningStarted{Reason: network.ReasonUser})
	if _, err := f.cmds.UpdateAddress(ctx, ddns.UpdateAddress{Client: live, Addresses: []netip.Addr{ip("203.0.114.7")}}); !errors.Is(err, ddns.ErrBadCredentials) {
		t.Errorf("network being deprovisioned: %v", err)
	}
	f.wantDNS(home.id)
	f.wantDNS(other.id)
	f.wantDNS(far.id)
}
