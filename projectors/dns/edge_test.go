package dns_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
)

// In a region with edge addresses, a network publishes *.<slug>.<zone>
// toward every one of them from its registration on (before it reports
// anything, and without being activated by them), beside its own address,
// and loses them with its other records when it is deprovisioned.
func TestEdgeRecordsOfANetwork(t *testing.T) {
	t.Parallel()
	f := newEdgeFixture(t, "192.0.2.1", "2001:db8::e")
	f.startReconciler("rec", nil)
	home := f.register("home", region)
	edge := []string{wildLine("home", "192.0.2.1"), wildLine("home", "2001:db8::e")}
	f.converge(edge...)
	if l := f.lifecycle(home); len(l) != 0 {
		t.Fatalf("the edge records activated the network: %v", l)
	}

	// Its own name keeps the daemon's address, even one that is an edge
	// address too.
	f.report(home, "192.0.2.1")
	f.challenge(home, "v1")
	f.converge(append(slices.Clone(edge), aLine("home", "192.0.2.1"), txtLine("home", "v1"))...)
	f.hasLifecycle(home, activated)
	f.report(home, "203.0.113.7")
	f.converge(append(slices.Clone(edge), aLine("home", "203.0.113.7"), txtLine("home", "v1"))...)

	// Another network has edge records of its own.
	other := f.register("other", region)
	f.converge(append(slices.Clone(edge), aLine("home", "203.0.113.7"), txtLine("home", "v1"),
		wildLine("other", "192.0.2.1"), wildLine("other", "2001:db8::e"))...)

	f.deprovision(home)
	f.hasLifecycle(home, activated, deprovStarted, deprovisioned)
	f.converge(wildLine("other", "192.0.2.1"), wildLine("other", "2001:db8::e"))
	f.deprovision(other)
	f.hasLifecycle(other, deprovStarted, deprovisioned)
	f.converge()
}

// A restart with another list of edge addresses converges the zone. A
// network that changes before the next drift check is reconciled with the
// new list from its stored records, without listing (an edge address
// replaced is an update, one removed a delete); the next drift check finds
// the others different and they are reconciled; and a region whose list
// is emptied loses every edge record.
func TestEdgeAddressesChanged(t *testing.T) {
	t.Parallel()
	f := newEdgeFixture(t, "192.0.2.1", "2001:db8::e")
	r := f.startReconciler("first", nil)
	home, other := f.register("home", region), f.register("other", region)
	f.report(home, "203.0.113.7")
	f.report(other, "203.0.113.8")
	f.converge(aLine("home", "203.0.113.7"), wildLine("home", "192.0.2.1"), wildLine("home", "2001:db8::e"),
		aLine("other", "203.0.113.8"), wildLine("other", "192.0.2.1"), wildLine("other", "2001:db8::e"))
	f.hasLifecycle(home, activated)
	f.hasLifecycle(other, activated)
	r.stop()

	// Restarted with one IPv4 edge address instead of the two; no drift
	// check until the test runs one.
	edited := func(edges ...string) func(*dns.ReconcilerConfig) {
		return func(c *dns.ReconcilerConfig) {
			c.EdgeAddresses = addrs(edges...)
			c.DriftInterval = time.Hour
		}
	}
	r = f.startReconciler("second", edited("192.0.2.9"))
	skip := len(f.cf.RequestLog())
	f.report(home, "198.51.100.7")
	f.converge(aLine("home", "198.51.100.7"), wildLine("home", "192.0.2.9"),
		aLine("other", "203.0.113.8"), wildLine("other", "192.0.2.1"), wildLine("other", "2001:db8::e"))
	if got, want := f.requestsSince(skip), []string{"PUT 200", "PUT 200", "DELETE 200"}; !slices.Equal(got, want) {
		t.Errorf("the known network: Cloudflare saw %q, want %q", got, want)
	}
	if err := r.DriftCheck(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.converge(aLine("home", "198.51.100.7"), wildLine("home", "192.0.2.9"),
		aLine("other", "203.0.113.8"), wildLine("other", "192.0.2.9"))

	// An address added is a create: the reconcile lists first, the
	// wildcard name too.
	r.stop()
	r = f.startReconciler("third", edited("192.0.2.9", "2001:db8::9"))
	skip = len(f.cf.RequestLog())
	f.report(home, "198.51.100.8")
	f.converge(aLine("home", "198.51.100.8"), wildLine("home", "192.0.2.9"), wildLine("home", "2001:db8::9"),
		aLine("other", "203.0.113.8"), wildLine("other", "192.0.2.9"))
	if got, want := f.requestsSince(skip), []string{"GET 200", "GET 200", "GET 200", "PUT 200", "POST 200"}; !slices.Equal(got, want) {
		t.Errorf("an edge address added: Cloudflare saw %q, want %q", got, want)
	}

	// No edge addresses at all: the drift check deletes them.
	r.stop()
	r = f.startReconciler("fourth", edited())
	if err := r.DriftCheck(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.converge(aLine("home", "198.51.100.8"), aLine("other", "203.0.113.8"))
	// A known network whose stored records still hold them goes on from
	// what it stored; a deleted record it meant to delete is fine.
	f.report(home, "198.51.100.9")
	f.converge(aLine("home", "198.51.100.9"), aLine("other", "203.0.113.8"))
	f.deprovision(other)
	f.hasLifecycle(other, activated, deprovStarted, deprovisioned)
	f.converge(aLine("home", "198.51.100.9"))
}

// In a region without edge addresses, a wildcard record at a network's
// name (made by hand, or left over by a reconcile cut short under another
// list) is deleted by the drift check, like an orphan, and the network's
// own records are left alone.
func TestDriftCheckDeletesWildcardsWithoutEdge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.startReconciler("rec", nil)
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	f.converge(aLine("home", "203.0.113.7"))
	id := f.recordID(aLine("home", "203.0.113.7"))
	f.put("A", "*.home."+parent, "192.0.2.1", dns.AddressTTL)
	f.put("AAAA", "*.gone."+parent, "2001:db8::e", dns.AddressTTL)
	keep := line("TXT", "*.home."+parent, "not-ours", 300)
	f.put("TXT", "*.home."+parent, "not-ours", 300)
	before := r.Stats().Orphans
	if err := r.DriftCheck(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.converge(aLine("home", "203.0.113.7"), keep)
	if got := f.recordID(aLine("home", "203.0.113.7")); got != id {
		t.Fatalf("the network's record is %s, want %s untouched", got, id)
	}
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); s.Orphans-before != 2 {
			return fmt.Errorf("%d orphans counted, want 2: %+v", s.Orphans-before, s)
		}
		return nil
	})
}
