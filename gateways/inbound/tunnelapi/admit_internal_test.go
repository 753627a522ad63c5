package tunnelapi

import (
	"crypto/ed25519"
	"net/http"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// A node whose routing table has not caught up with the log cannot tell
// whether a network may hold a tunnel: 503, to be retried, never a 403
// that would stop the daemon.
func TestAdmitBeforeTheTableIsReady(t *testing.T) {
	t.Parallel()
	c := events.NewCatalog()
	network.Register(c)
	subscription.Register(c)
	tenant.Register(c)
	table, err := route.New(testenv.StartNATS(t).Store(t, c), route.Config{Region: "local"})
	if err != nil {
		t.Fatal(err)
	}
	a := &API{table: table} // never Run: not ready
	_, no := a.admit(caller{tenant: ids.New[ids.TenantID](), network: ids.New[ids.NetworkID]()})
	if no == nil || no.status != http.StatusServiceUnavailable || no.msg != MsgNotReady {
		t.Fatalf("admit before ready: %+v", no)
	}
}

// The claims of a verified daemon token become a caller only when they
// are a daemon's, network-scoped, with ids tenants mints; anything else
// is refused (the handler answers 401).
func TestCallerOf(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	const (
		tenantID  = "0b7c6d0e-6f3a-4a55-9a43-8f5a1f2b9c10"
		networkID = "8d1c2b3a-4f5e-4d6c-9b8a-7f6e5d4c3b2a"
	)
	good := authn.Caller{Principal: tokens.PrincipalDaemon, TenantID: tenantID, NetworkID: networkID, PublicKey: pub}
	got, ok := callerOf(good)
	if want := (caller{tenant: tenantID, network: networkID}); !ok || got != want {
		t.Fatalf("callerOf(good) = %+v, %v; want %+v", got, ok, want)
	}
	for _, c := range []struct {
		name string
		edit func(*authn.Caller)
	}{
		{"a user", func(c *authn.Caller) { c.Principal = tokens.PrincipalUser }},
		{"malformed tenant", func(c *authn.Caller) { c.TenantID = "t-1" }},
		{"no tenant", func(c *authn.Caller) { c.TenantID = "" }},
		{"malformed network", func(c *authn.Caller) { c.NetworkID = "n-1" }},
		{"upper-case network", func(c *authn.Caller) { c.NetworkID = "8D1C2B3A-4F5E-4D6C-9B8A-7F6E5D4C3B2A" }},
		{"no network", func(c *authn.Caller) { c.NetworkID = "" }},
	} {
		cl := good
		c.edit(&cl)
		if got, ok := callerOf(cl); ok {
			t.Errorf("%s: callerOf = %+v, want refused", c.name, got)
		}
	}
}
