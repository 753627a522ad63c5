package projectors_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// A rebuild from sequence 0 beside the live version, then the switch,
// yields the same read model as an identical projection that was never
// rebuilt, while the live version keeps serving reads and applying new
// events during the rebuild; after the switch nothing is lost or doubled.
func TestRebuildBesideLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	last := e.deposit(t, 3000, "t1")

	var live *projectors.Projector
	var during atomic.Int32 // checks done while the rebuild ran
	o := e.opts(t)
	projectors.AfterRebuildBatch(&o, func(cp events.StreamSeq) {
		if during.Add(1) != 1 {
			return
		}
		// The rebuild has applied its first batch and is not switched in.
		if !schemaExists(t, e.db, "proj_ledger__next") {
			t.Error("no new version beside the live one")
		}
		grown := e.deposit(t, 500, "t2")
		waitCheckpoint(t, e.db, "ledger", grown) // the live version keeps applying
		if c := counts(t, e.db, "ledger"); c.rows != 3500 {
			t.Errorf("live version serves %d rows during the rebuild, want 3500", c.rows)
		}
		if cp >= grown {
			t.Errorf("rebuild at %d already past the new events at %d", cp, grown)
		}
	})
	live = e.projector(t, newLedger("ledger"), o)
	ref := e.projector(t, newLedger("reference"), e.opts(t))
	run(t, live)
	run(t, ref)
	waitCheckpoint(t, e.db, "ledger", last)
	before := tableOID(t, e.db, "proj_ledger.applied")

	if err := live.Rebuild(ctx); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if during.Load() < 2 {
		t.Fatalf("rebuild took %d batches; the test needs it to take several", during.Load())
	}
	if tableOID(t, e.db, "proj_ledger.applied") == before {
		t.Fatal("the live table was not replaced")
	}
	for _, s := range []string{"proj_ledger__next", "proj_ledger__old"} {
		if schemaExists(t, e.db, s) {
			t.Errorf("schema %s left behind", s)
		}
	}

	last = e.deposit(t, 500, "t3")
	waitCheckpoint(t, e.db, "ledger", last)
	waitCheckpoint(t, e.db, "reference", last)
	exactlyOnce(t, e.db, "ledger", 4000)
	if got, want := ledgerRows(t, e.db, "ledger"), ledgerRows(t, e.db, "reference"); !slices.Equal(got, want) {
		t.Fatalf("rebuilt read model differs from the reference: %d vs %d rows", len(got), len(want))
	}
}

// An operator's request is picked up by a running instance, which rebuilds
// in the background; Status shows the outcome.
func TestRequestedRebuild(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	if err := projectors.RequestRebuild(ctx, e.db.Pool, "ledger"); !errors.Is(err, projectors.ErrUnknownProjection) {
		t.Fatalf("request for a projection that never ran: %v", err)
	}
	last := e.deposit(t, 1000, "t1")
	p := e.projector(t, newLedger("ledger"), e.opts(t))
	run(t, p)
	waitCheckpoint(t, e.db, "ledger", last)
	before := tableOID(t, e.db, "proj_ledger.applied")

	if err := projectors.RequestRebuild(ctx, e.db.Pool, "ledger"); err != nil {
		t.Fatal(err)
	}
	var st projectors.State
	testenv.Eventually(t, time.Minute, func() error {
		if st = ledgerState(t, e); st.Rebuild == nil || st.Rebuild.InProgress() {
			return fmt.Errorf("rebuild not finished: %+v", st.Rebuild)
		}
		return nil
	})
	if r := st.Rebuild; r.Error != "" || r.Checkpoint < last || r.Target < last || r.StartedAt.IsZero() || st.RebuiltAt.IsZero() {
		t.Fatalf("rebuild state %+v, projection %+v", *r, st)
	}
	if tableOID(t, e.db, "proj_ledger.applied") == before {
		t.Fatal("the live table was not replaced")
	}
	exactlyOnce(t, e.db, "ledger", 1000)
}

func ledgerState(t testing.TB, e *env) projectors.State {
	t.Helper()
	states, err := projectors.Status(context.Background(), e.db.Pool, e.nats.JS)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Name == "ledger" {
			return s
		}
	}
	t.Fatal("ledger missing from Status")
	return projectors.State{}
}

type ledgerRow struct {
	Seq     int64
	N       int
	Account string
	Tenant  string
	Amount  int
}

func ledgerRows(t testing.TB, db *testenv.DB, name string) []ledgerRow {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT seq, n, account, tenant, amount FROM `+
		pgx.Identifier{projectors.SchemaName(name), "applied"}.Sanitize()+` ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ledgerRow])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tableOID(t testing.TB, db *testenv.DB, table string) uint32 {
	t.Helper()
	var oid uint32
	if err := db.Pool.QueryRow(context.Background(), `SELECT $1::regclass::oid`, table).Scan(&oid); err != nil {
		t.Fatal(err)
	}
	return oid
}

func schemaExists(t testing.TB, db *testenv.DB, schema string) bool {
	t.Helper()
	var ok bool
	if err := db.Pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}
