package dns_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
)

// fleet registers n networks of the region with addresses, every third
// with a challenge, and returns them with the records they should have.
func (f *fixture) fleet(prefix string, n int) (networks []ids.NetworkID, want []string) {
	f.t.Helper()
	for i := range n {
		slug, ip := fmt.Sprintf("%s-%02d", prefix, i), fmt.Sprintf("203.0.113.%d", i+1)
		id := f.register(slug, region)
		f.report(id, ip)
		want = append(want, aLine(slug, ip))
		if i%3 == 0 {
			f.challenge(id, "c1", "c2")
			want = append(want, txtLine(slug, "c1"), txtLine(slug, "c2"))
		}
		networks = append(networks, id)
	}
	return networks, want
}

// allActivated waits until every network has been activated, once.
func (f *fixture) allActivated(networks []ids.NetworkID) {
	f.t.Helper()
	for _, id := range networks {
		f.hasLifecycle(id, activated)
	}
}

// cutRequests counts the requests the fake saw the client give up on.
func (f *fixture) cutRequests() int {
	n := 0
	for _, r := range f.cf.RequestLog() {
		if r.Status == 0 {
			n++
		}
	}
	return n
}

// answeredWrites counts the writes the fake answered after the first skip
// requests of its log.
func (f *fixture) answeredWrites(skip int) int {
	n := 0
	log := f.cf.RequestLog()
	for _, r := range log[min(skip, len(log)):] {
		if r.Method != "GET" && r.Status != 0 {
			n++
		}
	}
	return n
}

// Reconcilers stopped in the middle of reconciles (requests in flight),
// over leftovers of earlier crashed runs (a duplicated record, a stale
// challenge), then one run to the end: the zone is exactly the desired
// records and every network is activated once.
func TestChaosKilledMidReconcile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids, want := f.fleet("net", 16)
	f.put("A", "net-00."+parent, "203.0.113.1", dns.AddressTTL)
	f.put("A", "net-00."+parent, "203.0.113.1", dns.AddressTTL)
	f.put("TXT", "_acme-challenge.net-01."+parent, "stale", dns.ChallengeTTL)
	f.applied()

	f.cf.SetLatency(20 * time.Millisecond)
	for round := range 3 {
		r := f.startReconciler(fmt.Sprintf("rec-%d", round), nil)
		skip := len(f.cf.RequestLog())
		// Stop it after it wrote something, while a request is in flight.
		testenv.Eventually(t, patience, func() error {
			if w, sent, logged := f.answeredWrites(skip), f.cf.Requests(), len(f.cf.RequestLog()); w == 0 || sent <= int64(logged) {
				return fmt.Errorf("round %d: %d writes answered, %d requests sent, %d answered: want a write answered and a request in flight",
					round, w, sent, logged)
			}
			return nil
		})
		r.stop()
	}
	// The fake logs a request the client gave up on once it notices.
	testenv.Eventually(t, patience, func() error {
		if f.cutRequests() == 0 {
			return errors.New("no request cut short (no reconcile stopped midway)")
		}
		return nil
	})
	f.cf.SetLatency(0)
	f.startReconciler("rec-final", nil)
	f.converge(want...)
	f.allActivated(ids)
}

// Cloudflare answering bursts of 500, 502 (an HTML page), 503, dropped
// connections and 429 with Retry-After: nothing is sent before Retry-After
// has passed (on the fake's clock), failed reconciles back off and are
// retried, and the zone converges.
func TestChaosCloudflareErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.startReconciler("rec", func(c *dns.ReconcilerConfig) { c.Workers = 1 })
	const retryAfter = time.Second            // also waited in real time by the reconciler's backoff
	f.cf.Inject(cftest.Fault{Status: 500}, 6) // more than one call's four attempts
	f.cf.Inject(cftest.Fault{Status: 429, RetryAfter: retryAfter}, 3)
	f.cf.Inject(cftest.Fault{Status: 502, HTML: true}, 2)
	f.cf.Inject(cftest.Fault{Drop: true}, 2)
	f.cf.Inject(cftest.Fault{Status: 503}, 5)
	ids, want := f.fleet("net", 10)
	f.converge(want...)
	f.allActivated(ids)
	if s := r.Stats(); s.Failures == 0 {
		t.Fatalf("no reconcile failed under the bursts: %+v", s)
	}

	// A second burst on a converged zone with a changed address.
	f.cf.Inject(cftest.Fault{Status: 500}, 9)
	f.cf.Inject(cftest.Fault{Status: 429, RetryAfter: retryAfter}, 4)
	f.report(ids[1], "198.51.100.2")
	want[slices.Index(want, aLine("net-01", "203.0.113.2"))] = aLine("net-01", "198.51.100.2")
	f.converge(want...)

	log, throttled := f.cf.RequestLog(), 0
	for i, req := range log[:len(log)-1] {
		if req.Status != 429 {
			continue
		}
		throttled++
		if next := log[i+1]; next.At.Sub(req.At) < retryAfter {
			t.Errorf("request %d (%s %s) came %v after a 429, before its Retry-After", i+1, next.Method, next.Path, next.At.Sub(req.At))
		}
	}
	if throttled != 7 {
		t.Fatalf("%d answers were 429, want the 7 injected", throttled)
	}
}

// A Retry-After longer than the client waits holds the network back at
// least that long, on the reconciler's clock.
func TestLongRetryAfterHoldsTheNetworkBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.startReconciler("rec", func(c *dns.ReconcilerConfig) { c.Clock = f.clock })
	f.cf.Inject(cftest.Fault{Status: 429, RetryAfter: 10 * time.Minute}, 1)
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	var retryAt time.Time
	testenv.Eventually(t, patience, func() error {
		err := f.db.Pool.QueryRow(f.ctx, `SELECT retry_at FROM dns_local_reconciler.retries WHERE network_id = $1`, home.String()).Scan(&retryAt)
		if err != nil {
			return fmt.Errorf("the network on backoff: %w", err)
		}
		return nil
	})
	if wait := retryAt.Sub(f.clock.Now()); wait < 9*time.Minute {
		t.Fatalf("retry in %v, want about Retry-After (10m)", wait)
	}
	if z := f.zone(); len(z) != 0 {
		t.Fatalf("published before the Retry-After: %v", z)
	}
	f.clock.Advance(10 * time.Minute)
	f.converge(aLine("home", "203.0.113.7"))
}

// The reconciler's Postgres sessions (its lock's and its pool's) are
// terminated while it works: it stops, takes the lock again and finishes.
func TestChaosPostgresConnectionLoss(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.startReconciler("rec-pg", nil)
	f.cf.SetLatency(5 * time.Millisecond)
	ids, want := f.fleet("first", 12)
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); s.Reconciles == 0 {
			return fmt.Errorf("no work started: %+v", s)
		}
		return nil
	})
	if n := f.terminate(r.app); n == 0 {
		t.Fatal("no session terminated")
	}
	more, wantMore := f.fleet("second", 12)
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); !s.Leader || s.Reconciles <= 12 {
			return fmt.Errorf("not at work again: %+v", s)
		}
		return nil
	})
	if n := f.terminate(r.app); n == 0 {
		t.Fatal("no session terminated the second time")
	}
	f.converge(append(want, wantMore...)...)
	f.allActivated(append(ids, more...))
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); !s.Leader {
			return fmt.Errorf("not leading again: %+v", s)
		}
		return nil
	})
}

// Postgres itself goes down in the middle of the work (a fast shutdown:
// every session of the projector and the reconciler is cut and new ones
// are refused), reports keep arriving in the log meanwhile, and the server
// comes back on the same data: the projection resumes from its committed
// checkpoint, the reconciler takes its lock again, and the zone converges
// with every network activated once.
func TestChaosPostgresRestarted(t *testing.T) {
	t.Parallel()
	pg := testenv.PrivateCluster(t)
	f := newFixtureOn(t, pg.Postgres(t))
	r := f.startReconciler("rec-restart", nil)
	f.cf.SetLatency(5 * time.Millisecond)
	ids, want := f.fleet("before", 12)
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); s.Reconciles == 0 {
			return fmt.Errorf("no work started: %+v", s)
		}
		return nil
	})

	restarts, projErrors := r.Stats().Restarts, f.projectorErrors()
	pg.Stop(t)
	during, wantDuring := f.fleet("during", 12)
	f.report(ids[0], "203.0.113.200") // a new address for a network already done
	want[0] = aLine("before-00", "203.0.113.200")
	// An outage long enough for retries to fail against the closed port:
	// the reconciler and the projector have each failed twice since the
	// stop (the first failure may be a session cut, the second is a retry
	// refused), and the reconciler has noticed it lost the lock.
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); s.Leader || s.Restarts < restarts+2 {
			return fmt.Errorf("the reconciler has not failed to take the lock again (%d restarts before the outage): %+v", restarts, s)
		}
		if n := f.projectorErrors(); n < projErrors+2 {
			return fmt.Errorf("the projector has not retried in vain (%v errors before the outage, %v now)", projErrors, n)
		}
		return nil
	})
	pg.Start(t)

	after, wantAfter := f.fleet("after", 12)
	f.converge(slices.Concat(want, wantDuring, wantAfter)...)
	f.allActivated(slices.Concat(ids, during, after))
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); !s.Leader {
			return fmt.Errorf("not leading again: %+v", s)
		}
		return nil
	})
}

// oneLeader is nil when exactly one of a and b leads.
func oneLeader(a, b *reconciler) error {
	if sa, sb := a.Stats(), b.Stats(); sa.Leader == sb.Leader {
		return fmt.Errorf("not one leader:\na %+v\nb %+v", sa, sb)
	}
	return nil
}

// Two reconcilers at once: one works, the other waits; when the first
// stops, the other takes over. No record is duplicated.
func TestTwoReconcilers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.startReconciler("rec-a", nil), f.startReconciler("rec-b", nil)
	testenv.Eventually(t, patience, func() error { return oneLeader(a, b) })
	leader, standby := a, b
	if b.Stats().Leader {
		leader, standby = b, a
	}
	ids, want := f.fleet("net", 15)
	f.converge(want...)
	f.allActivated(ids)
	if s := standby.Stats(); s.Reconciles != 0 || s.Writes != 0 || s.Leader {
		t.Fatalf("the standby worked: %+v", s)
	}
	if s := leader.Stats(); s.Reconciles == 0 || !s.Leader {
		t.Fatalf("the leader did not work: %+v", s)
	}

	leader.stop()
	testenv.Eventually(t, patience, func() error {
		if s := standby.Stats(); !s.Leader {
			return fmt.Errorf("the standby has not taken over: %+v", s)
		}
		return nil
	})
	late := f.register("late", region)
	f.report(late, "198.51.100.1")
	f.report(ids[0], "198.51.100.2")
	want[slices.Index(want, aLine("net-00", "203.0.113.1"))] = aLine("net-00", "198.51.100.2")
	f.converge(append(want, aLine("late", "198.51.100.1"))...)
	f.hasLifecycle(late, activated)
	if s := standby.Stats(); s.Reconciles == 0 {
		t.Fatalf("the new leader did not work: %+v", s)
	}
}

// The leader's lock session alone is cut while reconciles are under way:
// the standby takes over at once, the old leader's reconciles stop writing
// (the fence), and the zone converges without duplicates.
func TestChaosLockLostMidWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.startReconciler("rec-a", nil), f.startReconciler("rec-b", nil)
	testenv.Eventually(t, patience, func() error { return oneLeader(a, b) })
	first := a
	if b.Stats().Leader {
		first = b
	}
	f.cf.SetLatency(10 * time.Millisecond)
	ids, want := f.fleet("net", 20)
	testenv.Eventually(t, patience, func() error {
		if s := first.Stats(); s.Reconciles == 0 {
			return fmt.Errorf("no work started: %+v", s)
		}
		return nil
	})
	var n int
	if err := f.db.Pool.QueryRow(f.ctx, `
		SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1`, f.db.Name).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d lock sessions (%v), want 1", n, err)
	}
	f.cf.SetLatency(0)
	f.converge(want...)
	f.allActivated(ids)
	if a.Stats().Reconciles == 0 || b.Stats().Reconciles == 0 {
		t.Fatalf("both should have worked in turn:\na %+v\nb %+v", a.Stats(), b.Stats())
	}
	testenv.Eventually(t, patience, func() error { return oneLeader(a, b) })
}
