package commands_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/dns"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/ddns/commands"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fixture is the commands of region "local" on a real log and database,
// and the networks a test registers in that log as tenants would.
type fixture struct {
	t     *testing.T
	store *events.Store
	cmds  *commands.Service
	wakes int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	cat := events.NewCatalog()
	commands.Catalog(cat)
	f := &fixture{t: t, store: n.Store(t, cat)}
	cmds, err := commands.New(commands.Deps{Store: f.store, Pool: db.Pool, Region: "local", Wake: func() { f.wakes++ }})
	if err != nil {
		t.Fatal(err)
	}
	f.cmds = cmds
	return f
}

// net is a network registered in the log, with the caller of its first
// daemon.
type net struct {
	id     naming.ID
	daemon commands.Daemon
}

// register appends the registration of a network of a new tenant in
// region, with one daemon, and any later events.
func (f *fixture) register(slug string, region naming.Region, later ...events.Payload) net {
	f.t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.t.Fatal(err)
	}
	key, err := naming.DaemonKeyOf(pub)
	if err != nil {
		f.t.Fatal(err)
	}
	id, tenant := naming.NewID(), naming.NewID()
	registered, err := network.RegisterNetwork{
		TenantID: tenant, Slug: naming.Slug(slug), Region: region, DaemonID: naming.NewID(), DaemonKey: key,
	}.Decide(network.Initial())
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.Append(f.t.Context(), events.Meta{TenantID: tenant.String(), Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, id.String()), Events: append(registered, later...),
	}); err != nil {
		f.t.Fatal(err)
	}
	return net{id: id, daemon: commands.Daemon{TenantID: tenant.String(), NetworkID: id.String(), Key: key}}
}

// deprovision appends the start of the network's deprovisioning, as the
// tenants service would.
func (f *fixture) deprovision(n net) {
	f.t.Helper()
	if _, err := f.store.Append(f.t.Context(), events.Meta{TenantID: n.daemon.TenantID, Actor: "test"}, events.Change{
		Aggregate: events.MustRef(network.Type, n.id.String()), Expect: events.AnyVersion(),
		Events: []events.Payload{network.DeprovisioningStarted{Reason: network.ReasonUser}},
	}); err != nil {
		f.t.Fatal(err)
	}
}

// reports are the events on the network's dns aggregate.
func (f *fixture) reports(id naming.ID) []events.Payload {
	f.t.Helper()
	var out []events.Payload
	for rec, err := range f.store.Load(f.t.Context(), events.MustRef(dns.Type, id.String()), 0) {
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, rec.Data)
	}
	return out
}

func (f *fixture) wantReports(id naming.ID, want ...events.Payload) {
	f.t.Helper()
	if got := f.reports(id); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		f.t.Fatalf("reports %v, want %v", got, want)
	}
}

// wantRefused checks that err is a refusal of kind with message msg.
func wantRefused(t *testing.T, err error, kind commands.Kind, msg string) {
	t.Helper()
	var ce *commands.Error
	if !errors.As(err, &ce) || ce.Kind != kind || ce.Message != msg {
		t.Fatalf("%v, want a %s refusal %q", err, kind, msg)
	}
}

func addr(s string) dns.AddressReported { return dns.AddressReported{Address: netip.MustParseAddr(s)} }
