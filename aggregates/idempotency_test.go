package aggregates_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
)

func eventsOf(t *testing.T, store *events.Store, ref events.Ref, command string) int {
	t.Helper()
	n := 0
	for _, rec := range records(t, store, ref) {
		if strings.HasPrefix(rec.ID, command+".") {
			n++
		}
	}
	return n
}

// A command executed again with the same CommandID, by a client retrying
// after a lost reply, is stored once: the retry reports a duplicate without
// deciding again, even after the aggregate moved on, was snapshotted past
// the command, and on a replica whose cache has never seen it.
func TestRetriedCommandIsStoredOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	accounts := newRepo(t, e.store, e, accountKind, aggregates.WithSnapshotEvery(2))
	ref := events.MustRef("account", "i1")
	mustExec(t)(accounts.Execute(ctx, "i1", events.Meta{}, open("i")))

	decided := 0
	dep := func(s account) ([]events.Payload, error) { decided++; return deposit(10, 2)(s) }
	meta := events.Meta{CommandID: "deposit-1"}
	first := mustExec(t)(accounts.Execute(ctx, "i1", meta, dep))
	again := mustExec(t)(accounts.Execute(ctx, "i1", meta, dep))
	if first.Duplicate || !again.Duplicate || again.Versions[ref] != first.Versions[ref] || again.Last < first.Last {
		t.Fatalf("first %+v, retry %+v; want the retry to report the first as a duplicate", first, again)
	}

	// Later commands move the aggregate on and snapshot it past deposit-1.
	for range 3 {
		mustExec(t)(accounts.Execute(ctx, "i1", events.Meta{}, deposit(1, 1)))
	}
	if row, ok := readSnapshotRow(t, e, "account", "i1"); !ok || row.seq <= int64(first.Last) {
		t.Fatalf("snapshot %+v does not cover the command", row)
	}
	replica := newRepo(t, e.replica(t), e, accountKind, aggregates.WithSnapshotEvery(2))
	late := mustExec(t)(replica.Execute(ctx, "i1", meta, dep))
	if !late.Duplicate || late.Versions[ref] != first.Versions[ref] {
		t.Fatalf("late retry %+v, want a duplicate of %+v", late, first)
	}

	if decided != 1 {
		t.Fatalf("decided %d times, want once", decided)
	}
	if n := eventsOf(t, e.store, ref, "deposit-1"); n != 2 {
		t.Fatalf("deposit-1 stored %d events, want 2", n)
	}
	if got, _ := replica.Load(ctx, "i1"); got.State.Balance != 13 {
		t.Fatalf("balance %d, want 13", got.State.Balance)
	}
}

// A retried multi-aggregate command is recognised too, and not failed with
// the domain error its second decision would give.
func TestRetriedMultiAggregateCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	accounts, names := newRepo(t, e.store, e, accountKind), newRepo(t, e.store, e, nameKind)
	meta := events.Meta{CommandID: "open-m1"}
	first := mustExec(t)(aggregates.Execute(ctx, e.store, meta, openWithName(accounts, names, "m1", "mia")))
	again, err := aggregates.Execute(ctx, e.store, meta, openWithName(accounts, names, "m1", "mia"))
	if err != nil || !again.Duplicate || again.Last < first.Last {
		t.Fatalf("retry = %+v, %v; want a duplicate of %+v", again, err, first)
	}
	if last, _ := e.store.LastSeq(ctx); last != first.Last {
		t.Fatalf("log at %d, want %d: the retry stored something", last, first.Last)
	}
}
