package reservation_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// Two owners claim one slug at once: both decide on the free name, one
// append wins, the other conflicts, decides again on the winner's claim and
// reports ErrTaken. The log holds one claim. Once the winner releases, the
// loser's claim succeeds.
func TestConcurrentClaimsOfOneSlug(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := events.NewCatalog()
	reservation.Register(c)
	store := testenv.StartNATS(t).Store(t, c)
	kind := func(typ string) aggregates.Kind[reservation.State] {
		return aggregates.Kind[reservation.State]{
			Type: typ, Initial: reservation.Initial, Evolve: reservation.Evolve, StateVersion: reservation.StateVersion,
		}
	}
	slugs, err := aggregates.NewRepository(store, nil, kind(reservation.SlugType))
	if err != nil {
		t.Fatal(err)
	}
	const slug = "home-lab"

	var (
		firstDecisions sync.WaitGroup
		calls          atomic.Int32
		wg             sync.WaitGroup
		errs           [2]error
	)
	owners := [2]naming.ID{alice, bob}
	firstDecisions.Add(2)
	for i, owner := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			_, errs[i] = slugs.Execute(ctx, slug, events.Meta{}, func(s reservation.State) ([]events.Payload, error) {
				calls.Add(1)
				if first { // both decide on the free name before either appends
					first = false
					firstDecisions.Done()
					firstDecisions.Wait()
				}
				return reservation.Claim{Owner: owner}.Decide(s)
			})
		}()
	}
	wg.Wait()

	winner, loser := -1, -1
	for i, err := range errs {
		switch {
		case err == nil:
			winner = i
		case errors.Is(err, reservation.ErrTaken):
			loser = i
		default:
			t.Fatalf("claim by %s: %v", owners[i], err)
		}
	}
	if winner < 0 || loser < 0 {
		t.Fatalf("errors %v; want one success and one ErrTaken", errs)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("decided %d times, want 3 (two decisions and the loser's retry)", n)
	}
	got, err := slugs.Load(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 1 || !got.State.HeldBy(owners[winner]) {
		t.Fatalf("slug %+v after %d events; want one claim by %s", got.State, got.Events, owners[winner])
	}

	// The loser's second try after the winner's release, and the same
	// owner's claim of the same name in the other namespace, both succeed.
	if _, err := slugs.Execute(ctx, slug, events.Meta{}, reservation.Release{Owner: owners[winner]}.Decide); err != nil {
		t.Fatal(err)
	}
	if _, err := slugs.Execute(ctx, slug, events.Meta{}, reservation.Claim{Owner: owners[loser]}.Decide); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	emails, err := aggregates.NewRepository(store, nil, kind(reservation.EmailType))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emails.Execute(ctx, slug, events.Meta{}, reservation.Claim{Owner: owners[winner]}.Decide); err != nil {
		t.Fatalf("the email namespace shares the slug's name: %v", err)
	}
	got, err = slugs.Load(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 3 || !got.State.HeldBy(owners[loser]) {
		t.Fatalf("slug %+v after %d events; want claimed, released, claimed by %s", got.State, got.Events, owners[loser])
	}
}
