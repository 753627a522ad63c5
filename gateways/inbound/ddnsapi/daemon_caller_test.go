package ddnsapi

import (
	"crypto/ed25519"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// The claims of a verified daemon token become the commands' typed caller
// only when they are ids tenants mints; anything else is refused (the
// wrapper answers 401).
func TestDaemonCaller(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ids.DaemonKeyOf(pub)
	if err != nil {
		t.Fatal(err)
	}
	const (
		tenant  = "0b7c6d0e-6f3a-4a55-9a43-8f5a1f2b9c10"
		network = "8d1c2b3a-4f5e-4d6c-9b8a-7f6e5d4c3b2a"
	)
	good := authn.Caller{Principal: tokens.PrincipalDaemon, TenantID: tenant, NetworkID: network, PublicKey: pub}
	got, ok := daemonCaller(good)
	if want := (ddns.Daemon{TenantID: tenant, NetworkID: network, Key: key}); !ok || got != want {
		t.Fatalf("daemonCaller(good) = %+v, %v; want %+v", got, ok, want)
	}
	for _, c := range []struct {
		name string
		edit func(*authn.Caller)
	}{
		{"malformed tenant", func(c *authn.Caller) { c.TenantID = "t-1" }},
		{"no tenant", func(c *authn.Caller) { c.TenantID = "" }},
		{"malformed network", func(c *authn.Caller) { c.NetworkID = "n-1" }},
		{"upper-case network", func(c *authn.Caller) { c.NetworkID = "8D1C2B3A-4F5E-4D6C-9B8A-7F6E5D4C3B2A" }},
		{"no network", func(c *authn.Caller) { c.NetworkID = "" }},
		{"short key", func(c *authn.Caller) { c.PublicKey = pub[:31] }},
	} {
		caller := good
		c.edit(&caller)
		if got, ok := daemonCaller(caller); ok {
			t.Errorf("%s: daemonCaller = %+v, want refused", c.name, got)
		}
	}
}
