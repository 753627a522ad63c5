package tenancy_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type fixture struct {
	t      *testing.T
	ctx    context.Context
	store  *events.Store
	db     *testenv.DB
	reader *tenancy.Reader
	proj   *projectors.Projector
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	n := testenv.StartNATS(t)
	c := events.NewCatalog()
	tenants.Catalog(c)
	f := &fixture{t: t, ctx: ctx, store: n.Store(t, c), db: testenv.Postgres(t)}
	p, err := projectors.New(f.db.Pool, f.store, tenancy.New(), projectors.Options{
		PinnedTTL: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.proj = p
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("projector: %v", err)
		}
	})
	f.reader = tenancy.NewReader(f.db.Pool, f.store)
	return f
}

func (f *fixture) append(typ, id string, ps ...events.Payload) {
	f.t.Helper()
	if _, err := f.store.Append(f.ctx, events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(typ, id), Expect: events.AnyVersion(), Events: ps,
	}); err != nil {
		f.t.Fatal(err)
	}
}

func key(t *testing.T) ids.DaemonKey {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ids.DaemonKeyOf(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// history appends the life of two tenants: one with two networks, one
// deprovisioned, and a subscription; another deregistered and swept.
func (f *fixture) history() (kept, swept ids.TenantID, nets []ids.NetworkID) {
	kept, swept = ids.New[ids.TenantID](), ids.New[ids.TenantID]()
	f.append(tenant.Type, kept.String(), tenant.Created{TenantID: kept, Email: "v1.sealed-a"})
	f.append(subscription.Type, kept.String(), subscription.TrialOpened{Entitlement: plan.Trial, ExpiresAt: time.Now().Add(time.Hour)})
	for i := range 3 {
		id, d := ids.New[ids.NetworkID](), ids.New[ids.RegistrationID]()
		nets = append(nets, id)
		f.append(network.Type, id.String(), network.Registered{TenantID: kept, Slug: naming.Slug(fmt.Sprintf("net-%d", i)),
			DisplayName: map[bool]string{true: "Home"}[i == 0], Region: "local", RegistrationID: d, DaemonKey: key(f.t)})
	}
	f.append(network.Type, nets[1].String(), network.Activated{})
	// The tunneller gives the first two networks UDP ports of the region's
	// pool; the second's goes back, and the third's with its network.
	f.append(udpport.Type, "local", udpport.Allocated{NetworkID: nets[0], Port: 51820}, udpport.Allocated{NetworkID: nets[1], Port: 51821},
		udpport.Allocated{NetworkID: nets[2], Port: 51822})
	f.append(udpport.Type, "local", udpport.Released{NetworkID: nets[1], Port: 51821, Reason: udpport.ReasonOperator})
	f.append(network.Type, nets[2].String(), network.DeprovisioningStarted{Reason: network.ReasonUser}, network.Deprovisioned{})
	f.append(udpport.Type, "local", udpport.Released{NetworkID: nets[2], Port: 51822, Reason: udpport.ReasonDeprovisioned})

	f.append(tenant.Type, swept.String(), tenant.Created{TenantID: swept, Email: "v1.sealed-b"})
	f.append(subscription.Type, swept.String(), subscription.TrialOpened{Entitlement: plan.Trial, ExpiresAt: time.Now()})
	sn := ids.New[ids.NetworkID]()
	f.append(network.Type, sn.String(), network.Registered{TenantID: swept, Slug: "gone", Region: "local", RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: key(f.t)})
	f.append(tenant.Type, swept.String(), tenant.Deregistered{})
	f.append(subscription.Type, swept.String(), subscription.Closed{Reason: subscription.ReasonDeregistered})
	f.append(tenant.Type, swept.String(), tenant.Swept{})
	return kept, swept, nets
}

func TestViewsFollowTheLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	kept, swept, nets := f.history()
	if err := f.reader.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	got, err := f.reader.Networks(f.ctx, kept)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != nets[0].String() || got[1].ProvisioningState != "active" ||
		got[0].DisplayName == nil || *got[0].DisplayName != "Home" || got[1].DisplayName != nil {
		t.Fatalf("networks = %+v", got)
	}
	if got[0].UDPPort == nil || *got[0].UDPPort != 51820 || got[1].UDPPort != nil {
		t.Fatalf("udp ports %v, %v; want 51820 and none (released)", got[0].UDPPort, got[1].UDPPort)
	}
	one, err := f.reader.Network(f.ctx, kept, nets[0])
	if err != nil || one.UDPPort == nil || *one.UDPPort != 51820 {
		t.Fatalf("network = %+v, %v", one, err)
	}
	ds, err := f.reader.Daemons(f.ctx, kept)
	if err != nil || len(ds) != 2 {
		t.Fatalf("daemons = %+v, %v", ds, err)
	}
	me, err := f.reader.Tenant(f.ctx, kept)
	if err != nil || me.EmailSealed != "v1.sealed-a" || me.Subscription == nil || me.Subscription.Status != "trialing" {
		t.Fatalf("tenant = %+v, %v", me, err)
	}
	if _, err := f.reader.Tenant(f.ctx, swept); !errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("swept tenant: %v", err)
	}
	// Scoped: another tenant's network is not found, like a missing one.
	if _, err := f.reader.NetworkDaemons(f.ctx, swept, nets[0]); !errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("another tenant's network: %v", err)
	}
}

// A rebuild from sequence 0 yields the same read model as the live one.
func TestRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.history()
	if err := f.reader.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	before := f.dump()
	if err := f.proj.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
	if after := f.dump(); !slices.Equal(before, after) {
		t.Fatalf("rebuilt read model differs:\nlive    %v\nrebuilt %v", before, after)
	}
}

// dump renders every table of the live read model, ordered.
func (f *fixture) dump() []string {
	f.t.Helper()
	var out []string
	for _, table := range []string{"tenants", "networks", "daemons", "subscriptions"} {
		q := fmt.Sprintf(`SELECT t::text FROM %s t ORDER BY 1`, pgx.Identifier{projectors.SchemaName(tenancy.Name), table}.Sanitize())
		rows, err := f.db.Pool.Query(f.ctx, q)
		if err != nil {
			f.t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, table)
		out = append(out, got...)
	}
	return out
}

// A daemon removed from its network leaves the views.
func TestRemovedDaemonLeaves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	kept, _, nets := f.history()
	if err := f.reader.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	ds, err := f.reader.NetworkDaemons(f.ctx, kept, nets[0])
	if err != nil || len(ds) != 1 {
		t.Fatalf("daemons = %+v, %v", ds, err)
	}
	d, err := ids.Parse[ids.RegistrationID](ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	f.append(daemon.Type, "fp", daemon.Removed{RegistrationID: d, NetworkID: nets[0], Reason: daemon.ReasonSelf})
	if err := f.reader.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	if ds, err := f.reader.NetworkDaemons(f.ctx, kept, nets[0]); err != nil || len(ds) != 0 {
		t.Fatalf("daemons after removal = %+v, %v", ds, err)
	}
}

// A network's UDP port is null until allocated, follows the pool's events,
// and an allocation leaves updated_at alone. JSON shows it as udp_port.
func TestUDPPortFollowsThePool(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ten, id := ids.New[ids.TenantID](), ids.New[ids.NetworkID]()
	f.append(tenant.Type, ten.String(), tenant.Created{TenantID: ten, Email: "v1.sealed"})
	f.append(network.Type, id.String(), network.Registered{TenantID: ten, Slug: "port-net", Region: "local",
		RegistrationID: ids.New[ids.RegistrationID](), DaemonKey: key(t)})
	view := func() tenancy.NetworkView {
		t.Helper()
		if err := f.reader.Sync(f.ctx); err != nil {
			t.Fatal(err)
		}
		n, err := f.reader.Network(f.ctx, ten, id)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := view()
	if before.UDPPort != nil {
		t.Fatalf("udp port %d before any allocation", *before.UDPPort)
	}
	if b, _ := json.Marshal(before); !strings.Contains(string(b), `"udp_port":null`) {
		t.Fatalf("JSON %s has no null udp_port", b)
	}
	f.append(udpport.Type, "local", udpport.Allocated{NetworkID: id, Port: 52000})
	after := view()
	if after.UDPPort == nil || *after.UDPPort != 52000 || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("after the allocation: %+v", after)
	}
	if b, _ := json.Marshal(after); !strings.Contains(string(b), `"udp_port":52000`) {
		t.Fatalf("JSON %s", b)
	}
	// A stale release (of another port) changes nothing; the right one
	// clears it.
	f.append(udpport.Type, "local", udpport.Released{NetworkID: id, Port: 52001, Reason: udpport.ReasonOperator})
	if n := view(); n.UDPPort == nil || *n.UDPPort != 52000 {
		t.Fatalf("after a stale release: %v", n.UDPPort)
	}
	f.append(udpport.Type, "local", udpport.Released{NetworkID: id, Port: 52000, Reason: udpport.ReasonDeprovisioned})
	if n := view(); n.UDPPort != nil {
		t.Fatalf("after the release: %d", *n.UDPPort)
	}
}

// A read model set up before networks had UDP ports gains the column when
// the projector starts (Migrate), and keeps what it held.
func TestMigrateAddsUDPPort(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	kept, _, _ := f.history()
	if err := f.reader.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	schema := pgx.Identifier{projectors.SchemaName(tenancy.Name)}.Sanitize()
	if _, err := f.db.Pool.Exec(f.ctx, `ALTER TABLE `+schema+`.networks DROP COLUMN udp_port`); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		tx, err := f.db.Pool.Begin(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(f.ctx, `SELECT set_config('search_path', $1, true)`, schema); err != nil {
			t.Fatal(err)
		}
		if err := tenancy.New().Migrate(f.ctx, tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := f.reader.Networks(f.ctx, kept)
	if err != nil || len(ns) != 2 || ns[0].UDPPort != nil {
		t.Fatalf("networks after the migration: %+v, %v", ns, err)
	}
}
