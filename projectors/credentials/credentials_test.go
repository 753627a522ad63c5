package credentials_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"

// fixture is the projection running on a real log and database.
type fixture struct {
	t        *testing.T
	store    *events.Store
	db       *testenv.DB
	proj     *projectors.Projector
	stopProj func() // stops the projector (also when the test ends)
	reader   *credentials.Reader
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	n := testenv.StartNATS(t)
	c := events.NewCatalog()
	network.Register(c)
	report.Register(c) // events the projection does not read
	f := &fixture{t: t, store: n.Store(t, c), db: testenv.Postgres(t)}
	f.reader = credentials.NewReader(f.db.Pool, f.store)
	f.startProjector()
	return f
}

// startProjector runs a projector of the projection until the test ends or
// stopProj is called.
func (f *fixture) startProjector() {
	f.t.Helper()
	p, err := projectors.New(f.db.Pool, f.store, credentials.New(), projectors.Options{
		PinnedTTL: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(f.t.Output(), nil)),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	f.proj = p
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	f.stopProj = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				f.t.Errorf("projector: %v", err)
			}
		})
	}
	f.t.Cleanup(f.stopProj)
}

// append appends evs to network id and waits until the projection has them.
func (f *fixture) append(id ids.NetworkID, evs ...events.Payload) {
	f.t.Helper()
	if _, err := f.store.Append(f.t.Context(), events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, id.String()), Expect: events.AnyVersion(), Events: evs,
	}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.reader.SyncNetwork(f.t.Context(), id); err != nil {
		f.t.Fatal(err)
	}
}

func registered(tenant ids.TenantID, slug string, region naming.Region) network.Registered {
	return network.Registered{TenantID: tenant, Slug: naming.Slug(slug), Region: region,
		RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: aggregatetest.DaemonKey(1)}
}

func issued(id ids.CredentialID, kind network.CredentialKind, username string) network.UpdateCredentialIssued {
	return network.UpdateCredentialIssued{CredentialID: id, Kind: kind, Username: username, SecretHash: hash}
}

func (f *fixture) want(username string, want credentials.Credential) {
	f.t.Helper()
	got, err := f.reader.Lookup(f.t.Context(), username)
	if err != nil {
		f.t.Fatalf("lookup %s: %v", username, err)
	}
	if got != want {
		f.t.Fatalf("lookup %s = %+v, want %+v", username, got, want)
	}
}

func (f *fixture) wantNone(username string) {
	f.t.Helper()
	if got, err := f.reader.Lookup(f.t.Context(), username); !errors.Is(err, credentials.ErrNotFound) {
		f.t.Fatalf("lookup %s = %+v, %v; want not found", username, got, err)
	}
}

// A username leads to its credential and network, while the credential
// is not revoked and the network not deprovisioned; the provisioning state
// and region are the network's, for the commands to judge.
func TestLookup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tenant := ids.New[ids.TenantID]()
	home, far := ids.New[ids.NetworkID](), ids.New[ids.NetworkID]()
	cred, acme, farCred := ids.New[ids.CredentialID](), ids.New[ids.CredentialID](), ids.New[ids.CredentialID]()

	f.append(home, registered(tenant, "home", "local"), issued(cred, network.CredentialUpdate, "home-abcdefgh"))
	f.append(far, registered(tenant, "far", "euc"), issued(farCred, network.CredentialUpdate, "far-abcdefgh"))
	wantHome := credentials.Credential{ID: cred, Kind: network.CredentialUpdate, Username: "home-abcdefgh", SecretHash: hash,
		NetworkID: home, TenantID: tenant, Slug: "home", Region: "local", NetworkState: network.StatusProvisioning}
	f.want("home-abcdefgh", wantHome)
	f.want("far-abcdefgh", credentials.Credential{ID: farCred, Kind: network.CredentialUpdate, Username: "far-abcdefgh", SecretHash: hash,
		NetworkID: far, TenantID: tenant, Slug: "far", Region: "euc", NetworkState: network.StatusProvisioning})
	f.wantNone("nobody")
	f.wantNone("HOME-ABCDEFGH") // usernames are exact

	f.append(home, network.Activated{}, issued(acme, network.CredentialACMEDNS, acme.String()))
	wantHome.NetworkState = network.StatusActive
	f.want("home-abcdefgh", wantHome)
	f.want(acme.String(), credentials.Credential{ID: acme, Kind: network.CredentialACMEDNS, Username: acme.String(), SecretHash: hash,
		NetworkID: home, TenantID: tenant, Slug: "home", Region: "local", NetworkState: network.StatusActive})

	// Revoked: gone, the other credential stays. A revocation on another
	// network's aggregate changes nothing.
	f.append(far, network.UpdateCredentialRevoked{CredentialID: acme})
	f.want(acme.String(), credentials.Credential{ID: acme, Kind: network.CredentialACMEDNS, Username: acme.String(), SecretHash: hash,
		NetworkID: home, TenantID: tenant, Slug: "home", Region: "local", NetworkState: network.StatusActive})
	f.append(home, network.UpdateCredentialRevoked{CredentialID: acme})
	f.wantNone(acme.String())
	f.want("home-abcdefgh", wantHome)

	// Deprovisioning: still found, in that state; deprovisioned: gone.
	f.append(home, network.DeprovisioningStarted{Reason: network.ReasonUser})
	wantHome.NetworkState = network.StatusDeprovisioning
	f.want("home-abcdefgh", wantHome)
	f.append(home, network.Deprovisioned{})
	f.wantNone("home-abcdefgh")
	// A credential on a network it does not hold is dead.
	f.append(ids.New[ids.NetworkID](), issued(ids.New[ids.CredentialID](), network.CredentialUpdate, "ghost-abcdefgh"))
	f.wantNone("ghost-abcdefgh")

	// A rebuild from the log gives the same answers.
	if err := f.proj.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.wantNone("home-abcdefgh")
	f.want("far-abcdefgh", credentials.Credential{ID: farCred, Kind: network.CredentialUpdate, Username: "far-abcdefgh", SecretHash: hash,
		NetworkID: far, TenantID: tenant, Slug: "far", Region: "euc", NetworkState: network.StatusProvisioning})
}

// Should one username lead to two networks' credentials (a slug is free
// again once its network is deprovisioned, and usernames begin with the
// slug), the newest credential wins.
func TestLookupAfterSlugReuse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old, fresh := ids.New[ids.NetworkID](), ids.New[ids.NetworkID]()
	oldCred, freshCred := ids.New[ids.CredentialID](), ids.New[ids.CredentialID]()
	f.append(old, registered(ids.New[ids.TenantID](), "home", "local"), issued(oldCred, network.CredentialUpdate, "home-abcdefgh"),
		network.DeprovisioningStarted{Reason: network.ReasonUser})
	tenant := ids.New[ids.TenantID]()
	f.append(fresh, registered(tenant, "home", "local"), issued(freshCred, network.CredentialUpdate, "home-abcdefgh"))
	f.want("home-abcdefgh", credentials.Credential{ID: freshCred, Kind: network.CredentialUpdate, Username: "home-abcdefgh", SecretHash: hash,
		NetworkID: fresh, TenantID: tenant, Slug: "home", Region: "local", NetworkState: network.StatusProvisioning})
}
