package udpport_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
)

// Two networks ask one region's pool for a port at once: both decide on
// the same free port, one append wins, the other conflicts, decides again
// on the winner's allocation and takes the next port. No port is handed
// out twice.
func TestConcurrentAllocationsTakeDistinctPorts(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store := aggregatetest.Store(t, udpport.Register)
	pools := aggregatetest.Repository(t, store, aggregates.Kind[udpport.State]{
		Type: udpport.Type, Initial: udpport.Initial, Evolve: udpport.Evolve, StateVersion: udpport.StateVersion,
	})
	const region = "eu-west"
	nets := [2]ids.NetworkID{alice, bob}
	allocate := func(id ids.NetworkID) aggregatetest.Racer {
		return aggregatetest.Execute(pools, region, udpport.Allocate{NetworkID: id, Range: small}.Decide)
	}
	outs := aggregatetest.Race(ctx, allocate(nets[0]), allocate(nets[1]))
	attempts := map[int]int{}
	for i, o := range outs {
		if o.Err != nil || o.Result.Last == 0 {
			t.Fatalf("%s: %+v", nets[i], o)
		}
		attempts[o.Attempts]++
	}
	if attempts[1] != 1 || attempts[2] != 1 {
		t.Fatalf("attempts %v, want one first-time winner and one retry", attempts)
	}
	got, err := pools.Load(ctx, region)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := got.State.PortOf(alice)
	b, _ := got.State.PortOf(bob)
	if got.Events != 2 || a == b || !small.Contains(a) || !small.Contains(b) || min(a, b) != small.First {
		t.Fatalf("pool %v after %d events; want two distinct ports from %d", got.State.Ports, got.Events, small.First)
	}
}
