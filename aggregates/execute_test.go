package aggregates_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
)

// raceDeposits runs two deposits (1 and 10) on account id whose first
// decisions are both made on the same version: each waits in decide until
// the other has loaded. It returns each command's error and how many times
// decide ran.
func raceDeposits(t *testing.T, accounts *aggregates.Repository[account], id string, opts ...aggregates.ExecOption) ([2]error, int32) {
	t.Helper()
	ctx := ctxT(t)
	var (
		arrived sync.WaitGroup
		both    = make(chan struct{})
		calls   atomic.Int32
		errs    [2]error
		wg      sync.WaitGroup
	)
	arrived.Add(2)
	go func() { arrived.Wait(); close(both) }()
	for w, amount := range []int{1, 10} {
		wg.Go(func() {
			first := true
			_, errs[w] = accounts.Execute(ctx, id, events.Meta{}, func(s account) ([]events.Payload, error) {
				calls.Add(1)
				if first {
					first = false
					arrived.Done()
					select {
					case <-both:
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}
				return deposit(amount, 1)(s)
			}, opts...)
		})
	}
	wg.Wait()
	return errs, calls.Load()
}

// Two commands decided on the same version both succeed: the loser of the
// append loads again and decides again.
func TestConcurrentCommandsRetryOnConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	accounts := newRepo(t, e.store, e, accountKind)
	ctx := ctxT(t)
	mustExec(t)(accounts.Execute(ctx, "race", events.Meta{}, open("r")))

	errs, calls := raceDeposits(t, accounts, "race")
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors: %v", errs)
	}
	if calls != 3 {
		t.Fatalf("decide ran %d times, want 3 (two decisions and one retry)", calls)
	}
	got, err := accounts.Load(ctx, "race")
	if err != nil {
		t.Fatal(err)
	}
	if got.State.Balance != 11 || got.Events != 3 {
		t.Fatalf("state %+v after %d events; want balance 11 after 3", got.State, got.Events)
	}
}

// With a single attempt, exactly one of two commands decided on the same
// version succeeds; the other reports a conflict and stores nothing.
func TestConcurrentCommandsSingleAttemptOneWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	accounts := newRepo(t, e.store, e, accountKind)
	ctx := ctxT(t)
	mustExec(t)(accounts.Execute(ctx, "race", events.Meta{}, open("r")))

	errs, calls := raceDeposits(t, accounts, "race", aggregates.MaxAttempts(1))
	if calls != 2 {
		t.Fatalf("decide ran %d times, want 2", calls)
	}
	var winner int
	switch {
	case errs[0] == nil && errors.Is(errs[1], events.ErrConflict):
		winner = 1
	case errs[1] == nil && errors.Is(errs[0], events.ErrConflict):
		winner = 10
	default:
		t.Fatalf("errors %v; want exactly one nil and one conflict", errs)
	}
	got, err := accounts.Load(ctx, "race")
	if err != nil {
		t.Fatal(err)
	}
	if got.State.Balance != winner || got.Events != 2 {
		t.Fatalf("state %+v after %d events; want only the winner's deposit of %d", got.State, got.Events, winner)
	}
}

// A command across two aggregates is stored all or nothing. When the name
// is claimed between the command's load and its append, the retry sees the
// claim, decide reports the domain error, and nothing of the command is
// stored.
func TestMultiAggregateCommandIsAtomic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	accounts, names := newRepo(t, e.store, e, accountKind), newRepo(t, e.store, e, nameKind)
	ctx := ctxT(t)

	res := mustExec(t)(aggregates.Execute(ctx, e.store, events.Meta{}, openWithName(accounts, names, "a1", "alice")))
	acc, nm := events.MustRef("account", "a1"), events.MustRef("name", "alice")
	if len(res.Versions) != 2 || res.Versions[acc] == 0 || res.Versions[nm] != res.Last {
		t.Fatalf("result %+v", res)
	}
	if n, _ := names.Load(ctx, "alice"); n.State.Account != "a1" || n.Version != res.Versions[nm] {
		t.Fatalf("name = %+v", n)
	}

	attempts := 0
	cmd := openWithName(accounts, names, "a2", "bob")
	_, err := aggregates.Execute(ctx, e.store, events.Meta{}, func(ctx context.Context, tx *aggregates.Tx) error {
		attempts++
		if attempts == 1 {
			// Another command claims the name after this one has loaded
			// it as free, and before this one appends.
			if _, err := aggregates.Get(ctx, tx, names, "bob"); err != nil {
				return err
			}
			mustExec(t)(names.Execute(ctx, "bob", events.Meta{}, func(name) ([]events.Payload, error) {
				return []events.Payload{nameClaimed{Account: "other"}}, nil
			}))
		}
		return cmd(ctx, tx)
	})
	if !errors.Is(err, errNameTaken) {
		t.Fatalf("err = %v, want errNameTaken", err)
	}
	if attempts != 2 {
		t.Fatalf("%d attempts, want 2", attempts)
	}
	if recs := records(t, e.store, events.MustRef("account", "a2")); len(recs) != 0 {
		t.Fatalf("account a2 has %d events; the failed command stored part of itself", len(recs))
	}
	if recs := records(t, e.store, events.MustRef("name", "bob")); len(recs) != 1 || recs[0].Data.(nameClaimed).Account != "other" {
		t.Fatalf("name bob = %+v, want only the other claim", recs)
	}
}

// An aggregate emitted to without being loaded must be new, unless the
// command says otherwise.
func TestEmitWithoutLoadExpectsNew(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	nm := events.MustRef("name", "carol")
	claim := func(expect *events.Expectation) func(context.Context, *aggregates.Tx) error {
		return func(_ context.Context, tx *aggregates.Tx) error {
			tx.Emit(nm, nameClaimed{Account: "x"})
			if expect != nil {
				tx.Expect(nm, *expect)
			}
			return nil
		}
	}
	mustExec(t)(aggregates.Execute(ctx, e.store, events.Meta{}, claim(nil)))
	if _, err := aggregates.Execute(ctx, e.store, events.Meta{}, claim(nil), aggregates.MaxAttempts(2)); !errors.Is(err, events.ErrConflict) {
		t.Fatalf("second claim: err = %v, want a conflict", err)
	}
	anyVersion := events.AnyVersion()
	mustExec(t)(aggregates.Execute(ctx, e.store, events.Meta{}, claim(&anyVersion)))
	if n := len(records(t, e.store, nm)); n != 2 {
		t.Fatalf("%d claims stored, want 2", n)
	}
}

// A domain error comes back as is and stores nothing; a decision without
// events stores nothing.
func TestDecideErrorsAndEmptyDecisions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	accounts := newRepo(t, e.store, e, accountKind)
	ctx := ctxT(t)

	_, err := accounts.Execute(ctx, "closed", events.Meta{}, deposit(5, 1))
	if !errors.Is(err, errNotOpen) {
		t.Fatalf("err = %v, want errNotOpen", err)
	}
	res, err := accounts.Execute(ctx, "closed", events.Meta{}, func(account) ([]events.Payload, error) { return nil, nil })
	if err != nil || len(res.Versions) != 0 || res.Last != 0 || res.Duplicate {
		t.Fatalf("empty decision: %+v, %v", res, err)
	}
	if last, err := e.store.LastSeq(ctx); err != nil || last != 0 {
		t.Fatalf("log holds %d events (%v), want none", last, err)
	}
}
