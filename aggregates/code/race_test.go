package code_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/events"
)

// Two requests use one code at once: both decide on the unused code, one
// append wins, the other conflicts, decides again on the Used event and
// reports ErrInvalidCode. The log holds one use.
func TestConcurrentUsesOfOneCode(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	codes := aggregatetest.Repository(t, aggregatetest.Store(t, code.Register), aggregates.Kind[code.State]{
		Type: code.Type, Initial: code.Initial, Evolve: code.Evolve, StateVersion: code.StateVersion,
	})
	id := code.New().Hash()
	issue := code.Issue{Purpose: code.PurposeSignup, Email: sealed, EmailIndex: index, Now: now}
	if _, err := codes.Execute(ctx, id, events.Meta{}, issue.Decide); err != nil {
		t.Fatal(err)
	}

	use := aggregatetest.Execute(codes, id, code.Use{Purpose: code.PurposeSignup, Now: now.Add(time.Minute)}.Decide)
	aggregatetest.OneWins(t, aggregatetest.Race(ctx, use, use), code.ErrInvalidCode)

	got, err := codes.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 2 || !got.State.Used {
		t.Fatalf("code %+v after %d events; want issued and one use", got.State, got.Events)
	}
}
