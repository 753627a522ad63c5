package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/audit"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type signedUp struct {
	Email string `json:"email"`
}

func (signedUp) EventType() string { return "test.user.signed_up" }

type renamed struct {
	Name string `json:"name"`
}

func (renamed) EventType() string { return "test.user.renamed" }

const secret = "alice@example.com"

// fixture appends events of two tenants, a system event and an event of a
// schema newer than the projector's catalogue, runs the audit projection
// to the end, and returns everything the log holds.
func fixture(t *testing.T) (*testenv.DB, *audit.Projection, []events.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := testenv.StartNATS(t)
	c := events.NewCatalog()
	events.Register[signedUp](c, 1)
	store := n.Store(t, c)
	newer := events.NewCatalog()
	events.Register[signedUp](newer, 1)
	events.Register[renamed](newer, 2, func(old json.RawMessage) (json.RawMessage, error) { return old, nil })
	newerStore := events.NewStore(n.JS, newer)

	appendTo := func(s *events.Store, tenant, corr, id string, ps ...events.Payload) {
		t.Helper()
		if _, err := s.Append(ctx, events.Meta{TenantID: tenant, Actor: "user:" + tenant, CorrelationID: corr},
			events.Change{Aggregate: events.MustRef("user", id), Expect: events.AnyVersion(), Events: ps}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		appendTo(store, "ta", "", "a"+string(rune('0'+i)), signedUp{Email: secret})
		appendTo(store, "tb", "", "b"+string(rune('0'+i)), signedUp{Email: "bob@example.com"})
	}
	appendTo(store, "ta", "req-a", "a9", signedUp{Email: secret}, signedUp{Email: secret})
	appendTo(store, "", "", "system", signedUp{})
	appendTo(newerStore, "tb", "req-b", "b9", renamed{Name: "Bob"})

	var all []events.Record
	for r, err := range events.NewStore(n.JS, events.NewCatalog()).Read(ctx, events.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}

	db := testenv.Postgres(t)
	proj := audit.New()
	p, err := projectors.New(db.Pool, store, proj, projectors.Options{
		PinnedTTL: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	last := all[len(all)-1].Seq
	testenv.Eventually(t, time.Minute, func() error {
		if cp := p.Stats().Checkpoint; cp < last {
			return fmt.Errorf("audit projection at %d of %d", cp, last)
		}
		return nil
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return db, proj, all
}

func TestAuditIndex(t *testing.T) {
	t.Parallel()
	db, proj, all := fixture(t)
	ctx := context.Background()

	for _, tenant := range []string{"ta", "tb"} {
		var want []audit.Entry
		for _, r := range slices.Backward(all) {
			if r.TenantID == tenant {
				want = append(want, entryOf(r))
			}
		}
		got, err := proj.Recent(ctx, db.Pool, tenant, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		// Tenant A's query never returns tenant B's events, and misses none of A's.
		if !slices.EqualFunc(got, want, equalEntry) {
			t.Errorf("Recent(%s):\n got %+v\nwant %+v", tenant, got, want)
		}
	}

	// Paging: the page after the first two entries starts with the third.
	page, err := proj.Recent(ctx, db.Pool, "ta", 0, 2)
	if err != nil || len(page) != 2 {
		t.Fatalf("first page: %v, %v", page, err)
	}
	next, err := proj.Recent(ctx, db.Pool, "ta", page[1].Seq, 1)
	if err != nil || len(next) != 1 || next[0].Seq >= page[1].Seq {
		t.Fatalf("next page: %v, %v", next, err)
	}

	// The newer schema's event is indexed, not a reason to stop.
	corr, err := proj.Correlated(ctx, db.Pool, "tb", "req-b")
	if err != nil || len(corr) != 1 || corr[0].Type != "test.user.renamed" || corr[0].SchemaVersion != 2 {
		t.Fatalf("Correlated(tb, req-b) = %+v, %v", corr, err)
	}
	if got, err := proj.Correlated(ctx, db.Pool, "ta", "req-a"); err != nil || len(got) != 2 {
		t.Fatalf("Correlated(ta, req-a) = %+v, %v", got, err)
	}
	if got, err := proj.Correlated(ctx, db.Pool, "ta", "req-b"); err != nil || len(got) != 0 {
		t.Fatalf("tenant ta sees tenant tb's request: %+v, %v", got, err)
	}
	if _, err := proj.Recent(ctx, db.Pool, "", 0, 10); !errors.Is(err, audit.ErrNoTenant) {
		t.Fatalf("query without tenant: %v", err)
	}
}

// The index holds no payloads: nothing personal from them ends up in it.
func TestAuditStoresNoPayloads(t *testing.T) {
	t.Parallel()
	db, _, all := fixture(t)
	var rows, leaks int
	err := db.Pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE e::text LIKE '%' || $1 || '%')
		FROM proj_audit.events e`, secret).Scan(&rows, &leaks)
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(all) || leaks != 0 {
		t.Fatalf("%d rows for %d events, %d holding payload data", rows, len(all), leaks)
	}
}

func entryOf(r events.Record) audit.Entry {
	return audit.Entry{
		Seq: r.Seq, ID: r.ID, Time: r.Time, Type: r.Type, SchemaVersion: r.SchemaVersion, Source: r.Source,
		AggregateType: r.Aggregate.Type(), AggregateID: r.Aggregate.ID(), TenantID: r.TenantID,
		Actor: r.Actor, CorrelationID: r.CorrelationID, CausationID: r.CausationID,
	}
}

// equalEntry compares entries; times to Postgres's microsecond precision
// (it rounds the stream's nanoseconds).
func equalEntry(a, b audit.Entry) bool {
	ta, tb := a.Time, b.Time
	a.Time, b.Time = time.Time{}, time.Time{}
	return a == b && ta.Sub(tb).Abs() < time.Microsecond
}
