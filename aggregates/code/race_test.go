package code_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// Two requests use one code at once: both decide on the unused code, one
// append wins, the other conflicts, decides again on the Used event and
// reports ErrInvalidCode. The log holds one use.
func TestConcurrentUsesOfOneCode(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := events.NewCatalog()
	code.Register(c)
	store := testenv.StartNATS(t).Store(t, c)
	codes, err := aggregates.NewRepository(store, nil, aggregates.Kind[code.State]{
		Type: code.Type, Initial: code.Initial, Evolve: code.Evolve, StateVersion: code.StateVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	id := naming.NewCode().Hash()
	issue := code.Issue{Purpose: naming.PurposeSignup, Email: sealed, EmailIndex: index, Now: now}
	if _, err := codes.Execute(ctx, id, events.Meta{}, issue.Decide); err != nil {
		t.Fatal(err)
	}

	var (
		firstDecisions sync.WaitGroup
		calls          atomic.Int32
		wg             sync.WaitGroup
		errs           [2]error
	)
	firstDecisions.Add(2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			_, errs[i] = codes.Execute(ctx, id, events.Meta{}, func(s code.State) ([]events.Payload, error) {
				calls.Add(1)
				if first { // both decide on the unused code before either appends
					first = false
					firstDecisions.Done()
					firstDecisions.Wait()
				}
				return code.Use{Purpose: naming.PurposeSignup, Now: now.Add(time.Minute)}.Decide(s)
			})
		}()
	}
	wg.Wait()

	if ok0, ok1 := errs[0] == nil, errs[1] == nil; ok0 == ok1 {
		t.Fatalf("errors %v; want exactly one success", errs)
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, code.ErrInvalidCode) {
			t.Fatalf("loser: %v, want ErrInvalidCode", err)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("decided %d times, want 3 (two decisions and the loser's retry)", n)
	}
	got, err := codes.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 2 || !got.State.Used {
		t.Fatalf("code %+v after %d events; want issued and one use", got.State, got.Events)
	}
}
