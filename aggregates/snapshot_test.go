package aggregates_test

import (
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

type snapshotRow struct {
	version, seq  int64
	schemaVersion int
	state         []byte
}

func readSnapshotRow(t *testing.T, e *env, aggregate, id string) (snapshotRow, bool) {
	t.Helper()
	var r snapshotRow
	err := e.db.Pool.QueryRow(ctxT(t), `SELECT version, stream_seq, schema_version, state FROM snapshots WHERE aggregate = $1 AND id = $2`, aggregate, id).
		Scan(&r.version, &r.seq, &r.schemaVersion, &r.state)
	if err != nil {
		return r, false
	}
	return r, true
}

func exec(t *testing.T, e *env, sql string, args ...any) {
	t.Helper()
	if _, err := e.db.Pool.Exec(ctxT(t), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// ledger opens account id and makes n deposits of 1..n, one command each.
func ledger(t *testing.T, accounts *aggregates.Repository[account], id string, n int) {
	t.Helper()
	ctx := ctxT(t)
	mustExec(t)(accounts.Execute(ctx, id, events.Meta{}, open(id)))
	for i := 1; i <= n; i++ {
		mustExec(t)(accounts.Execute(ctx, id, events.Meta{}, deposit(i, 1)))
	}
}

func loadEqualsFullFold(t *testing.T, e *env, id string) {
	t.Helper()
	// A fresh repository without cache: the load goes through the snapshot.
	r := newRepo(t, e.store, e, accountKind, aggregates.WithCacheSize(0), aggregates.WithSnapshotEvery(5))
	got, err := r.Load(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if want := fullFold(t, e.store, accountKind, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("load = %+v\nfull fold = %+v", got, want)
	}
}

// After enough events a snapshot exists, and loading through it gives what
// folding the whole log gives.
func TestSnapshotLoadEqualsFullFold(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	accounts := newRepo(t, e.store, e, accountKind, aggregates.WithCacheSize(0), aggregates.WithSnapshotEvery(5))
	ledger(t, accounts, "s1", 11) // 12 events; loads before commands 6 and 11 snapshot 5 and 10 events

	row, ok := readSnapshotRow(t, e, "account", "s1")
	recs := records(t, e.store, events.MustRef("account", "s1"))
	if !ok || row.version != 10 || row.seq != int64(recs[9].Seq) || row.schemaVersion != 1 {
		t.Fatalf("snapshot row %+v (found %v); want 10 events up to seq %d", row, ok, recs[9].Seq)
	}
	loadEqualsFullFold(t, e, "s1")

	// The load really starts from the snapshot: a changed snapshot shows.
	exec(t, e, `UPDATE snapshots SET state = jsonb_set(state, '{owner}', '"from-snapshot"')`)
	r := newRepo(t, e.store, e, accountKind, aggregates.WithCacheSize(0), aggregates.WithSnapshotEvery(5))
	got, err := r.Load(ctxT(t), "s1")
	if err != nil || got.State.Owner != "from-snapshot" || got.State.Balance != 66 || got.Events != 12 {
		t.Fatalf("load = %+v, %v; want the snapshot's owner and the full balance", got, err)
	}
}

// A snapshot that cannot be used is ignored, never misread, and replaced
// by the next load, even when the aggregate has not moved since (a quiet
// aggregate would otherwise fold from the start forever).
func TestUnusableSnapshotIsIgnored(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		// Plausible state under another state version: decoding it would
		// give a wrong balance.
		"other state version":   `UPDATE snapshots SET schema_version = 2, state = '{"open": true, "owner": "old", "balance": -1000}'`,
		"state does not decode": `UPDATE snapshots SET state = '{"balance": "lots"}'`,
		"commands corrupt":      `UPDATE snapshots SET state = '{"balance": -1000}', commands = '{"not": "a list"}'`,
		"position corrupt":      `UPDATE snapshots SET state = '{"balance": -1000}', stream_seq = 0`,
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			accounts := newRepo(t, e.store, e, accountKind, aggregates.WithCacheSize(0), aggregates.WithSnapshotEvery(5))
			ledger(t, accounts, "s1", 4)
			if _, err := accounts.Load(ctxT(t), "s1"); err != nil { // snapshots all 5 events
				t.Fatal(err)
			}
			exec(t, e, corrupt)

			loadEqualsFullFold(t, e, "s1")

			row, ok := readSnapshotRow(t, e, "account", "s1")
			var s account
			if !ok || row.version != 5 || row.schemaVersion != 1 || json.Unmarshal(row.state, &s) != nil || s.Balance != 10 {
				t.Fatalf("snapshot not replaced: %+v (%s)", row, row.state)
			}
		})
	}
}

// Snapshots are a cache: when they cannot be read or written, commands
// still succeed, and the problem is logged.
func TestSnapshotFailureDoesNotFailCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var logs testenv.Logs
	log := slog.New(slog.NewTextHandler(&logs, nil))
	accounts := newRepo(t, e.store, e, accountKind, aggregates.WithCacheSize(0), aggregates.WithSnapshotEvery(1), aggregates.WithLogger(log))
	exec(t, e, `ALTER TABLE snapshots RENAME TO snapshots_away`)

	ledger(t, accounts, "s1", 3)

	got, err := accounts.Load(ctxT(t), "s1")
	if err != nil || got.State.Balance != 6 {
		t.Fatalf("load = %+v, %v", got, err)
	}
	out := logs.String()
	if !strings.Contains(out, "snapshot not written") || !strings.Contains(out, "snapshot not read") {
		t.Fatalf("snapshot failures not logged:\n%s", out)
	}
}

// A state that cannot be encoded is neither cached nor snapshotted, and
// loads still work.
func TestUnencodableStateStillLoads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	type odd struct{ C chan int } // encoding/json rejects channels
	kind := aggregates.Kind[odd]{Type: "account", StateVersion: 1, SnapshotEvery: 1,
		Evolve: func(s odd, _ events.Record) odd { return s }}
	var logs testenv.Logs
	r := newRepo(t, e.store, e, kind, aggregates.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	mustExec(t)(r.Execute(ctxT(t), "o", events.Meta{}, func(odd) ([]events.Payload, error) {
		return []events.Payload{opened{Owner: "o"}}, nil
	}))
	got, err := r.Load(ctxT(t), "o")
	if err != nil || got.Events != 1 {
		t.Fatalf("load = %+v, %v", got, err)
	}
	if _, ok := readSnapshotRow(t, e, "account", "o"); ok || !strings.Contains(logs.String(), "does not encode") {
		t.Fatalf("snapshot of an unencodable state, or nothing logged:\n%s", logs.String())
	}
}
