package ratelimit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// A cancelled reservation leaves the window, on every replica, as if it
// had never been admitted; cancelling again, or after the window moved
// on, changes nothing.
func TestReservationCancel(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	clk := newClock()
	limit := ratelimit.Limit{Name: "reserve", Max: 2, Window: time.Minute}
	a := newLimiter(t, n.JS, limit, clk)
	b := newLimiter(t, secondReplica(t, n), limit, clk)
	ctx := context.Background()

	r1, ok, _, err := a.Reserve(ctx, "k")
	if err != nil || !ok {
		t.Fatalf("first reserve: %v %v", ok, err)
	}
	clk.Advance(time.Millisecond)
	if _, ok, _, err := b.Reserve(ctx, "k"); err != nil || !ok {
		t.Fatalf("second reserve: %v %v", ok, err)
	}
	mustAllow(t, a, "k", false)
	if err := r1.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r1.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	mustAllow(t, b, "k", true)  // r1's place
	mustAllow(t, b, "k", false) // and no more

	clk.Advance(2 * time.Minute)
	r3, ok, _, err := a.Reserve(ctx, "k")
	if err != nil || !ok {
		t.Fatalf("after the window: %v %v", ok, err)
	}
	clk.Advance(2 * time.Minute)
	if err := r3.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	if err := (ratelimit.Reservation{}).Cancel(ctx); err != nil {
		t.Fatalf("zero reservation: %v", err)
	}
}

// A budget counts the events spent by every replica in its window and is
// exhausted at Max, with the time until the oldest leaves; it recovers
// when they expire.
func TestBudget(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	ctx := context.Background()
	limit := ratelimit.Limit{Name: "budget", Max: 3, Window: time.Second}
	a, err := ratelimit.NewBudget(ctx, n.JS, limit, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ratelimit.NewBudget(ctx, secondReplica(t, n), limit, 1)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ratelimit.NewBudget(ctx, n.JS, ratelimit.Limit{Name: "other", Max: 1, Window: time.Minute}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, bud := range []*ratelimit.Budget{a, b, a} {
		if done, _, err := bud.Exhausted(ctx); err != nil || done {
			t.Fatalf("before spend %d: exhausted %v, %v", i, done, err)
		}
		if err := bud.Spend(ctx); err != nil {
			t.Fatal(err)
		}
	}
	done, retry, err := b.Exhausted(ctx)
	if err != nil || !done || retry <= 0 || retry > 2*time.Second {
		t.Fatalf("after 3 of 3: exhausted %v, retry %s, %v", done, retry, err)
	}
	if done, _, err := other.Exhausted(ctx); err != nil || done {
		t.Fatalf("another budget: exhausted %v, %v", done, err)
	}
	// The events expire with their TTL, on the server's clock.
	testenv.Eventually(t, 10*time.Second, func() error {
		if spent, err := a.Spent(ctx); err != nil || spent != 0 {
			return fmt.Errorf("%d spent after the window (%v)", spent, err)
		}
		return nil
	})
	if done, _, err := a.Exhausted(ctx); err != nil || done {
		t.Fatalf("after the window: exhausted %v, %v", done, err)
	}
}
