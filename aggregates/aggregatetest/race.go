package aggregatetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// Store starts an in-process NATS server for the test and returns an event
// store on it whose catalogue holds the events of every register function.
func Store(t testing.TB, register ...func(*events.Catalog)) *events.Store {
	t.Helper()
	c := events.NewCatalog()
	for _, r := range register {
		r(c)
	}
	return testenv.StartNATS(t).Store(t, c)
}

// Repository returns a repository of kind over store, without snapshots.
func Repository[S any](t testing.TB, store *events.Store, kind aggregates.Kind[S]) *aggregates.Repository[S] {
	t.Helper()
	r, err := aggregates.NewRepository(store, nil, kind)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Racer is one command of a race. It runs the command, typically through
// aggregates.Execute, and calls loaded on every attempt once that attempt
// has loaded its aggregates and before it decides.
type Racer func(ctx context.Context, loaded func()) (aggregates.Result, error)

// Execute is the Racer that runs decide on aggregate id through
// repo.Execute.
func Execute[S any](repo *aggregates.Repository[S], id string, decide func(S) ([]events.Payload, error)) Racer {
	return func(ctx context.Context, loaded func()) (aggregates.Result, error) {
		return repo.Execute(ctx, id, events.Meta{}, func(s S) ([]events.Payload, error) {
			loaded()
			return decide(s)
		})
	}
}

// Outcome is how one racer ended.
type Outcome struct {
	Result   aggregates.Result
	Err      error
	Attempts int // how many times it called loaded: its decisions
}

// Race runs the racers at once and returns their outcomes in order. Each
// racer's first attempt waits in loaded until every racer has loaded (or
// returned, or ctx ended), so they all decide on the same versions and all
// but one of those writing to the same aggregate conflict and decide again.
func Race(ctx context.Context, racers ...Racer) []Outcome {
	return run(ctx, true, racers)
}

// Crowd runs the racers at once without Race's barrier: they interleave as
// the scheduler lets them.
func Crowd(ctx context.Context, racers ...Racer) []Outcome {
	return run(ctx, false, racers)
}

func run(ctx context.Context, barrier bool, racers []Racer) []Outcome {
	outs := make([]Outcome, len(racers))
	var (
		left    atomic.Int32
		allHere = make(chan struct{})
		done    sync.WaitGroup
	)
	left.Store(int32(len(racers)))
	arrive := func() {
		if left.Add(-1) == 0 {
			close(allHere)
		}
	}
	for i, race := range racers {
		done.Go(func() {
			arrived := !barrier
			defer func() {
				if !arrived { // failed before loading: do not hold the others
					arrive()
				}
			}()
			loaded := func() {
				outs[i].Attempts++
				if !arrived {
					arrived = true
					arrive()
					select {
					case <-allHere:
					case <-ctx.Done():
					}
				}
			}
			outs[i].Result, outs[i].Err = race(ctx, loaded)
		})
	}
	done.Wait()
	return outs
}

// OneWins checks the usual end of a race of two commands on one version:
// the winner decided once and succeeded; the loser conflicted, decided again
// on the winner's events and either failed with an error matching lost or,
// when lost is nil, succeeded without storing anything. It returns their
// indexes.
func OneWins(t testing.TB, outs []Outcome, lost error) (winner, loser int) {
	t.Helper()
	if len(outs) != 2 {
		t.Fatalf("%d outcomes, want a race of two", len(outs))
	}
	winner, loser = 0, 1
	if lost == nil {
		if outs[0].Err != nil || outs[1].Err != nil {
			t.Fatalf("errors %v, %v; want two successes", outs[0].Err, outs[1].Err)
		}
		if (outs[0].Result.Last != 0) == (outs[1].Result.Last != 0) {
			t.Fatalf("results %+v, %+v; want exactly one command to store events", outs[0].Result, outs[1].Result)
		}
		if outs[0].Result.Last == 0 {
			winner, loser = 1, 0
		}
	} else {
		if (outs[0].Err == nil) == (outs[1].Err == nil) {
			t.Fatalf("errors %v, %v; want exactly one success", outs[0].Err, outs[1].Err)
		}
		if outs[0].Err != nil {
			winner, loser = 1, 0
		}
		if !errors.Is(outs[loser].Err, lost) {
			t.Fatalf("loser: %v, want %v", outs[loser].Err, lost)
		}
	}
	if outs[winner].Attempts != 1 || outs[loser].Attempts != 2 {
		t.Fatalf("winner decided %d times, loser %d; want once and twice (the loser's retry)", outs[winner].Attempts, outs[loser].Attempts)
	}
	return winner, loser
}
