package aggregates_test

import (
	"sync"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
)

// A replica's cache never hides what another replica appended: every load
// reads the log after the cached version.
func TestCacheNeverServesStaleState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	a := newRepo(t, e.store, e, accountKind)
	b := newRepo(t, e.replica(t), e, accountKind)

	mustExec(t)(a.Execute(ctx, "acc", events.Meta{}, open("x")))
	if got, err := a.Load(ctx, "acc"); err != nil || got.State.Balance != 0 {
		t.Fatalf("load = %+v, %v", got, err)
	}
	if aggregates.CacheLen(a) != 1 {
		t.Fatalf("replica a caches %d aggregates, want 1", aggregates.CacheLen(a))
	}

	mustExec(t)(b.Execute(ctx, "acc", events.Meta{}, deposit(7, 1)))

	got, err := a.Load(ctx, "acc")
	if err != nil || got.State.Balance != 7 || got.Events != 2 {
		t.Fatalf("replica a loads %+v, %v after replica b's deposit", got, err)
	}
	// A command on replica a decides on b's deposit the first time, without
	// a conflict.
	calls := 0
	mustExec(t)(a.Execute(ctx, "acc", events.Meta{}, func(s account) ([]events.Payload, error) {
		calls++
		if s.Balance != 7 {
			t.Errorf("decided on balance %d, want 7", s.Balance)
		}
		return deposit(1, 1)(s)
	}))
	mustExec(t)(b.Execute(ctx, "acc", events.Meta{}, deposit(2, 1)))
	mustExec(t)(a.Execute(ctx, "acc", events.Meta{}, func(s account) ([]events.Payload, error) {
		calls++
		if s.Balance != 10 {
			t.Errorf("decided on balance %d, want 10", s.Balance)
		}
		return nil, nil
	}))
	if calls != 2 {
		t.Fatalf("decide ran %d times, want 2", calls)
	}
}

// The cache is bounded, and a caller that changes the state it was given
// cannot change what the next load returns.
func TestCacheIsBoundedAndIsolated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	r := newRepo(t, e.store, e, accountKind, aggregates.WithCacheSize(2))
	for _, id := range []string{"a", "b", "c"} {
		mustExec(t)(r.Execute(ctx, id, events.Meta{}, open(id)))
		mustExec(t)(r.Execute(ctx, id, events.Meta{}, deposit(5, 1)))
	}
	if n := aggregates.CacheLen(r); n != 2 {
		t.Fatalf("cache holds %d aggregates, want 2", n)
	}

	got, err := r.Load(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	got.State.History[0] = 999
	got.State.Balance = 999
	again, err := r.Load(ctx, "c")
	if err != nil || again.State.Balance != 5 || again.State.History[0] != 5 {
		t.Fatalf("second load = %+v, %v; the first caller's changes leaked into the cache", again, err)
	}
}

// Loading an aggregate without events gives the initial state at version 0;
// invalid ids are rejected.
func TestLoadNewAndInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	kind := accountKind
	kind.Initial = func() account { return account{Owner: "nobody"} }
	r := newRepo(t, e.store, e, kind)
	got, err := r.Load(ctx, "fresh")
	if err != nil || got.Version != 0 || got.Events != 0 || got.State.Owner != "nobody" {
		t.Fatalf("load = %+v, %v", got, err)
	}
	if _, err := r.Load(ctx, "not.valid"); err == nil {
		t.Fatal("loaded an invalid id")
	}
	if _, err := aggregates.NewRepository(e.store, nil, aggregates.Kind[account]{Type: "Bad", Evolve: evolveAccount}); err == nil {
		t.Fatal("accepted an invalid aggregate type")
	}
	if _, err := aggregates.NewRepository(e.store, nil, aggregates.Kind[account]{Type: "account"}); err == nil {
		t.Fatal("accepted a kind without Evolve")
	}
}

// Loads of one aggregate from many goroutines, while another replica
// appends, each see the aggregate only move forward. Under the race
// detector this also checks that loads never share what they fold into.
func TestConcurrentLoads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxT(t)
	r := newRepo(t, e.store, e, accountKind)
	writer := newRepo(t, e.replica(t), e, accountKind)
	mustExec(t)(writer.Execute(ctx, "hot", events.Meta{}, open("h")))

	const deposits, readers = 20, 4
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for range deposits {
			if _, err := writer.Execute(ctx, "hot", events.Meta{}, deposit(1, 1)); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range readers {
		wg.Go(func() {
			last := -1
			for finished := false; !finished; {
				select {
				case <-done:
					finished = true
				default:
				}
				got, err := r.Load(ctx, "hot")
				if err != nil {
					t.Error(err)
					return
				}
				if got.State.Balance < last || got.State.Balance != got.Events-1 || len(got.State.History) != got.State.Balance {
					t.Errorf("load went from balance %d to %+v", last, got)
					return
				}
				last = got.State.Balance
			}
			if last != deposits {
				t.Errorf("last load saw balance %d, want %d", last, deposits)
			}
		})
	}
	wg.Wait()
}
