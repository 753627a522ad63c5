package ddns_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

// zone is the fixture's DNS zone.
const zone = "dyn.example.net"

func TestMain(m *testing.M) { testenv.Main(m) }

// fixture is the commands of region "local" on a real log and database,
// with the update credentials projection running and real rate limiters,
// and the networks a test registers in that log as tenants would.
type fixture struct {
	t      *testing.T
	store  *events.Store
	cmds   *ddns.App
	reader *credentials.Reader
	// stopProjector stops the credentials projector (also when the test
	// ends).
	stopProjector func()
}

// roomy limits stay out of the way of tests that do not test them.
var roomy = ratelimit.Limit{Name: "roomy", Max: 1000, Window: time.Minute}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWithLimits(t, roomy, roomy)
}

// newFixtureWithLimits is newFixture with these limits per client address
// and per credential.
func newFixtureWithLimits(t *testing.T, client, update ratelimit.Limit) *fixture {
	t.Helper()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	cat := events.NewCatalog()
	ddns.Catalog(cat)
	f := &fixture{t: t, store: n.Store(t, cat)}
	update.Name += "-update" // the same Limit twice would share its counts
	var limiters [2]*ratelimit.Limiter
	for i, l := range []ratelimit.Limit{client, update} {
		lim, err := ratelimit.New(t.Context(), n.JS, l, ratelimit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		limiters[i] = lim
	}
	f.reader = credentials.NewReader(db.Pool, f.store)
	cmds, err := ddns.New(ddns.Deps{Store: f.store, Pool: db.Pool, Region: "local",
		Zone: zone, Credentials: f.reader, ClientLimit: limiters[0], UpdateLimit: limiters[1], Passwords: passwords.NewHasher(0)})
	if err != nil {
		t.Fatal(err)
	}
	f.cmds = cmds
	p, err := projectors.New(db.Pool, f.store, credentials.New(), projectors.Options{
		PinnedTTL: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	f.stopProjector = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("projector: %v", err)
			}
		})
	}
	t.Cleanup(f.stopProjector)
	return f
}

// cred is an update credential issued in the log, with its secret.
type cred struct {
	id               ids.CredentialID
	username, secret string
}

// issue appends the issue of a credential of kind for network n, as the
// tenants service (kind update) or RegisterACME (acme_dns) would, and
// waits until the projection has it.
func (f *fixture) issue(n net, kind network.CredentialKind) cred {
	f.t.Helper()
	c := f.issueOnly(n, kind)
	if err := f.reader.SyncNetwork(f.t.Context(), n.id); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// issueOnly is issue without waiting for the projection: what a client
// holds the moment the tenants API answers 201.
func (f *fixture) issueOnly(n net, kind network.CredentialKind) cred {
	f.t.Helper()
	return f.issueHashed(n, kind, passwords.HashSecret)
}

// issueHashed is issueOnly with the secret stored as hash makes it.
func (f *fixture) issueHashed(n net, kind network.CredentialKind, hash func(string) (string, error)) cred {
	f.t.Helper()
	// As tenants issues them (32 bytes) and RegisterACME (30: 40
	// characters, an acme-dns key's length).
	b := make([]byte, 32)
	if kind == network.CredentialACMEDNS {
		b = b[:30]
	}
	_, _ = rand.Read(b)
	c := cred{id: ids.New[ids.CredentialID](), secret: base64.RawURLEncoding.EncodeToString(b)}
	c.username = c.id.String()
	if kind == network.CredentialUpdate {
		c.username = string(f.slug(n)) + "-" + c.secret[:8]
	}
	phc, err := hash(c.secret)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.Append(f.t.Context(), events.Meta{TenantID: n.daemon.TenantID.String(), Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, n.id.String()), Expect: events.AnyVersion(),
		Events: []events.Payload{network.UpdateCredentialIssued{CredentialID: c.id, Kind: kind, Username: c.username, SecretHash: phc}},
	}); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// revoke appends the revocation of c on network n and waits until the
// projection has it.
func (f *fixture) revoke(n net, c cred) {
	f.t.Helper()
	f.appendNetwork(n, network.UpdateCredentialRevoked{CredentialID: c.id})
}

// appendNetwork appends evs to network n and waits for the projection.
func (f *fixture) appendNetwork(n net, evs ...events.Payload) {
	f.t.Helper()
	if _, err := f.store.Append(f.t.Context(), events.Meta{TenantID: n.daemon.TenantID.String(), Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, n.id.String()), Expect: events.AnyVersion(), Events: evs,
	}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.reader.SyncNetwork(f.t.Context(), n.id); err != nil {
		f.t.Fatal(err)
	}
}

// slug is network n's slug, from the log.
func (f *fixture) slug(n net) naming.Slug {
	f.t.Helper()
	for rec, err := range f.store.Load(f.t.Context(), events.MustRef(network.Type, n.id.String()), 0) {
		if err != nil {
			f.t.Fatal(err)
		}
		if r, ok := rec.Data.(network.Registered); ok {
			return r.Slug
		}
	}
	f.t.Fatalf("network %s is not registered", n.id)
	return ""
}

// client authenticates c as a stock client of kind, or fails the test.
func (f *fixture) client(c cred, kind network.CredentialKind) ddns.Client {
	f.t.Helper()
	cl, err := f.cmds.Authenticate(f.t.Context(), ddns.Authenticate{Username: c.username, Secret: c.secret, Kind: kind})
	if err != nil {
		f.t.Fatalf("authenticate %s: %v", c.username, err)
	}
	return cl
}

// net is a network registered in the log, with the caller of its first
// daemon.
type net struct {
	id     ids.NetworkID
	daemon ddns.Daemon
}

// register appends the registration of a network of a new tenant in
// region, with one daemon, and any later events.
func (f *fixture) register(slug string, region naming.Region, later ...events.Payload) net {
	f.t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.t.Fatal(err)
	}
	key, err := ids.DaemonKeyOf(pub)
	if err != nil {
		f.t.Fatal(err)
	}
	id, tenant := ids.New[ids.NetworkID](), ids.New[ids.TenantID]()
	registered, err := network.RegisterNetwork{
		TenantID: tenant, Slug: naming.Slug(slug), Region: region, RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: key,
	}.Decide(network.Initial())
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.Append(f.t.Context(), events.Meta{TenantID: tenant.String(), Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, id.String()), Events: append(registered, later...),
	}); err != nil {
		f.t.Fatal(err)
	}
	return net{id: id, daemon: ddns.Daemon{TenantID: tenant, NetworkID: id, Key: key}}
}

// deprovision appends the start of the network's deprovisioning, as the
// tenants service would.
func (f *fixture) deprovision(n net) {
	f.t.Helper()
	if _, err := f.store.Append(f.t.Context(), events.Meta{TenantID: n.daemon.TenantID.String(), Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, n.id.String()), Expect: events.AnyVersion(),
		Events: []events.Payload{network.DeprovisioningStarted{Reason: network.ReasonUser}},
	}); err != nil {
		f.t.Fatal(err)
	}
}

// dnsEvents are the events on the network's dns aggregate.
func (f *fixture) dnsEvents(id ids.NetworkID) []events.Payload {
	f.t.Helper()
	var out []events.Payload
	for rec, err := range f.store.Load(f.t.Context(), events.MustRef(report.Type, id.String()), 0) {
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, rec.Data)
	}
	return out
}

// wantDNS checks that the events on the network's dns aggregate are want.
func (f *fixture) wantDNS(id ids.NetworkID, want ...events.Payload) {
	f.t.Helper()
	if got := f.dnsEvents(id); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		f.t.Fatalf("dns events %v, want %v", got, want)
	}
}

// wantRefused checks that err is a refusal of kind with message msg.
func wantRefused(t *testing.T, err error, kind ddns.Kind, msg string) {
	t.Helper()
	var ce *ddns.Error
	if !errors.As(err, &ce) || ce.Kind != kind || ce.Message != msg {
		t.Fatalf("%v, want a %s refusal %q", err, kind, msg)
	}
}

// wantThrottled checks that err is a *ddns.ThrottledError with a retry
// within the limit's window.
func wantThrottled(t *testing.T, err error) {
	t.Helper()
	var te *ddns.ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, ddns.ErrThrottled) || te.RetryAfter <= 0 || te.RetryAfter > time.Minute {
		t.Fatalf("%v, want throttled with a retry within the window", err)
	}
}

func addr(s string) report.AddressReported {
	return report.AddressReported{Address: netip.MustParseAddr(s)}
}
