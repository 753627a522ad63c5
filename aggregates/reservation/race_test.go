package reservation_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

// Two owners claim one slug at once: both decide on the free name, one
// append wins, the other conflicts, decides again on the winner's claim and
// reports ErrTaken. The log holds one claim. Once the winner releases, the
// loser's claim succeeds.
func TestConcurrentClaimsOfOneSlug(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store := aggregatetest.Store(t, reservation.Register)
	slugs := aggregatetest.Repository(t, store, aggregates.Kind[reservation.State[ids.NetworkID]]{
		Type: reservation.SlugType, Initial: reservation.Initial[ids.NetworkID], Evolve: reservation.Evolve[ids.NetworkID],
		StateVersion: reservation.StateVersion,
	})
	const slug = "home-lab"

	owners := [2]ids.NetworkID{alice, bob}
	claimSlug := func(owner ids.NetworkID) aggregatetest.Racer {
		return aggregatetest.Execute(slugs, slug, reservation.Claim[ids.NetworkID]{Owner: owner}.Decide)
	}
	w, l := aggregatetest.OneWins(t, aggregatetest.Race(ctx, claimSlug(owners[0]), claimSlug(owners[1])), reservation.ErrTaken)
	winner, loser := owners[w], owners[l]
	got, err := slugs.Load(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 1 || !got.State.HeldBy(winner) {
		t.Fatalf("slug %+v after %d events; want one claim by %s", got.State, got.Events, winner)
	}

	// The loser's second try after the winner's release, and a tenant's
	// claim of the same name in the other namespace, both succeed.
	if _, err := slugs.Execute(ctx, slug, events.Meta{}, reservation.Release[ids.NetworkID]{Owner: winner}.Decide); err != nil {
		t.Fatal(err)
	}
	if _, err := slugs.Execute(ctx, slug, events.Meta{}, reservation.Claim[ids.NetworkID]{Owner: loser}.Decide); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	emails := aggregatetest.Repository(t, store, aggregates.Kind[state]{
		Type: reservation.EmailType, Initial: reservation.Initial[ids.TenantID], Evolve: reservation.Evolve[ids.TenantID],
		StateVersion: reservation.StateVersion,
	})
	if _, err := emails.Execute(ctx, slug, events.Meta{}, claim{Owner: alice}.Decide); err != nil {
		t.Fatalf("the email namespace shares the slug's name: %v", err)
	}
	got, err = slugs.Load(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != 3 || !got.State.HeldBy(loser) {
		t.Fatalf("slug %+v after %d events; want claimed, released, claimed by %s", got.State, got.Events, loser)
	}
}
