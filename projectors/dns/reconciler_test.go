package dns_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
)

// A network's life end to end: a report publishes its A record and
// activates it, a new address updates the same record, challenges come and
// go, and deprovisioning removes every record and ends it.
func TestNetworkLifeEndToEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.startReconciler("rec", nil)
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	f.converge(aLine("home", "203.0.113.7"))
	f.hasLifecycle(home, activated)
	id := f.recordID(aLine("home", "203.0.113.7"))

	f.report(home, "198.51.100.7")
	f.converge(aLine("home", "198.51.100.7"))
	if got := f.recordID(aLine("home", "198.51.100.7")); got != id {
		t.Fatalf("the new address is record %s, want the same record %s", got, id)
	}

	f.report(home, "2001:db8::7")
	f.challenge(home, "v1", "v2")
	f.converge(aLine("home", "198.51.100.7"), aLine("home", "2001:db8::7"), txtLine("home", "v1"), txtLine("home", "v2"))
	f.challenge(home)
	f.converge(aLine("home", "198.51.100.7"), aLine("home", "2001:db8::7"))
	f.hasLifecycle(home, activated) // decided once

	f.deprovision(home)
	f.converge()
	f.hasLifecycle(home, activated, deprovStarted, deprovisioned)
	f.converge() // the deprovisioned event is applied too
	if s := r.Stats(); !s.Leader || s.Reconciles == 0 || s.Failures != 0 {
		t.Fatalf("stats = %+v", s)
	}
}

// The daemon's challenge and an acme-dns account's share the name at
// Cloudflare without replacing each other, and a revoked account's values
// are removed.
func TestAccountChallengesAtCloudflare(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.startReconciler("rec", nil)
	home := f.register("home", region)
	acc := f.account(home)
	f.report(home, "203.0.113.7")
	f.challenge(home, "d1")
	f.accountChallenge(home, acc, "a1", "a2")
	f.converge(aLine("home", "203.0.113.7"), txtLine("home", "d1"), txtLine("home", "a1"), txtLine("home", "a2"))
	f.challenge(home)
	f.converge(aLine("home", "203.0.113.7"), txtLine("home", "a1"), txtLine("home", "a2"))
	f.challenge(home, "d2")
	f.accountChallenge(home, acc, "a2", "a3")
	f.converge(aLine("home", "203.0.113.7"), txtLine("home", "d2"), txtLine("home", "a2"), txtLine("home", "a3"))
	f.revoke(home, acc)
	f.converge(aLine("home", "203.0.113.7"), txtLine("home", "d2"))
}

// A network deprovisioned before it ever published anything ends too.
func TestDeprovisionedWithoutRecords(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.startReconciler("rec", nil)
	id := f.register("quiet", region)
	f.deprovision(id)
	f.hasLifecycle(id, deprovStarted, deprovisioned)
	f.converge()
}

// Records made by hand before the network published are adopted: the one
// that already says the right thing is kept, the one that says something
// else is rewritten in place; neither is duplicated.
func TestAdoptsRecordsMadeByHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	same := f.put("A", "home."+parent, "203.0.113.7", dns.AddressTTL)
	other := f.put("A", "other."+parent, "192.0.2.1", 3600)
	home, oth := f.register("home", region), f.register("other", region)
	f.report(home, "203.0.113.7")
	f.report(oth, "198.51.100.8")
	f.startReconciler("rec", nil)
	f.converge(aLine("home", "203.0.113.7"), aLine("other", "198.51.100.8"))
	if got := f.recordID(aLine("home", "203.0.113.7")); got != same {
		t.Fatalf("home's record is %s, want the adopted %s", got, same)
	}
	if got := f.recordID(aLine("other", "198.51.100.8")); got != other {
		t.Fatalf("other's record is %s, want %s updated in place", got, other)
	}
	f.hasLifecycle(home, activated)
	f.hasLifecycle(oth, activated)
}

// requestsSince renders the fake's requests after the first skip of its
// log as "METHOD status".
func (f *fixture) requestsSince(skip int) []string {
	var out []string
	log := f.cf.RequestLog()
	for _, r := range log[min(skip, len(log)):] {
		out = append(out, fmt.Sprintf("%s %d", r.Method, r.Status))
	}
	return out
}

// A network whose records a reconcile listed and stored is reconciled from
// what was stored: a new address is one update in place and a cleared
// challenge one delete per value, with no list. A new challenge value (a
// create) lists first, so that nothing a cut-short reconcile left is
// duplicated, and so does deprovisioning.
func TestKnownRecordsSkipTheLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.startReconciler("rec", nil)
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	f.converge(aLine("home", "203.0.113.7"))
	f.hasLifecycle(home, activated)
	id := f.recordID(aLine("home", "203.0.113.7"))

	for _, step := range []struct {
		name   string
		change func()
		want   []string // the zone after it
		calls  []string
	}{
		{"new address", func() { f.report(home, "198.51.100.7") },
			[]string{aLine("home", "198.51.100.7")}, []string{"PUT 200"}},
		{"challenge", func() { f.challenge(home, "v1", "v2") },
			[]string{aLine("home", "198.51.100.7"), txtLine("home", "v1"), txtLine("home", "v2")},
			[]string{"GET 200", "GET 200", "POST 200", "POST 200"}},
		{"a challenge value replaced", func() { f.challenge(home, "v2", "v3") },
			[]string{aLine("home", "198.51.100.7"), txtLine("home", "v2"), txtLine("home", "v3")}, []string{"PUT 200"}},
		{"challenge cleared", func() { f.challenge(home) },
			[]string{aLine("home", "198.51.100.7")}, []string{"DELETE 200", "DELETE 200"}},
		{"another address", func() { f.report(home, "198.51.100.8") },
			[]string{aLine("home", "198.51.100.8")}, []string{"PUT 200"}},
	} {
		skip := len(f.cf.RequestLog())
		step.change()
		f.converge(step.want...)
		if got := f.requestsSince(skip); !slices.Equal(got, step.calls) {
			t.Errorf("%s: Cloudflare saw %q, want %q", step.name, got, step.calls)
		}
	}
	if got := f.recordID(aLine("home", "198.51.100.8")); got != id {
		t.Errorf("the address record is %s, want %s updated in place", got, id)
	}

	// "Nothing left" ends the network: it is seen, not remembered.
	skip := len(f.cf.RequestLog())
	f.deprovision(home)
	f.hasLifecycle(home, activated, deprovStarted, deprovisioned)
	f.converge()
	if got, want := f.requestsSince(skip), []string{"GET 200", "GET 200", "DELETE 200"}; !slices.Equal(got, want) {
		t.Errorf("deprovisioning: Cloudflare saw %q, want %q", got, want)
	}
}

// A stored record deleted by hand is found missing by the update that
// should rewrite it: the reconcile then lists the names and creates the
// record once; the memory is not trusted again until a listing reconcile
// succeeded.
func TestKnownRecordDeletedByHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.startReconciler("rec", nil)
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	f.converge(aLine("home", "203.0.113.7"))
	if !f.cf.RemoveRecord(f.cf.ZoneID, f.recordID(aLine("home", "203.0.113.7"))) {
		t.Fatal("nothing removed")
	}
	f.put("A", "home."+parent, "192.0.2.9", 3600) // and another made by hand

	skip := len(f.cf.RequestLog())
	f.report(home, "198.51.100.7")
	f.converge(aLine("home", "198.51.100.7"))
	if got, want := f.requestsSince(skip), []string{"PUT 404", "GET 200", "GET 200", "PUT 200"}; !slices.Equal(got, want) {
		t.Errorf("Cloudflare saw %q, want %q", got, want)
	}
}

// A listing reconcile of a known network that creates one record and then
// fails leaves the network unknown: the next change, which creates nothing
// (the challenge cleared), lists and removes the record the failed
// reconcile published but never stored.
func TestFailedListingReconcileForgetsKnown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Every create after the first once refuse is set is answered 400, as
	// Cloudflare refuses a record it finds invalid: the reconcile of the
	// challenge fails, and so does every retry of it.
	var (
		mu      sync.Mutex
		refuse  bool
		creates int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if refuse && r.Method == http.MethodPost {
			creates++
			if creates >= 2 {
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"success":false,"errors":[{"code":9005,"message":"Content for TXT record is invalid."}],"messages":[],"result":null}`)
				return
			}
		}
		mu.Unlock()
		f.cf.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	client, err := cloudflare.New(cloudflare.Config{
		ZoneID: f.cf.ZoneID, Token: token, BaseURL: srv.URL + "/client/v4/", Clock: f.clock, Logger: f.log,
		Rand: func() float64 { return 0.5 },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.client = client
	f.startReconciler("rec", nil)
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	f.converge(aLine("home", "203.0.113.7"))

	mu.Lock()
	refuse = true
	mu.Unlock()
	f.challenge(home, "v1", "v2")
	testenv.Eventually(t, patience, func() error {
		if z := f.zone(); !slices.Contains(z, txtLine("home", "v1")) {
			return fmt.Errorf("the first value not published:\n%s", strings.Join(z, "\n"))
		}
		return nil
	})
	f.challenge(home)
	f.converge(aLine("home", "203.0.113.7"))
}

// A drift check whose projection is behind the log leaves the names it
// does not know alone (they may be networks registered since, here or in
// another region); once the projection has caught up, it deletes the
// orphans and keeps the other region's record.
func TestDriftCheckWaitsForTheProjection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put("A", "gone."+parent, "192.0.2.1", dns.AddressTTL)
	f.applied()
	f.stopProj()
	f.register("late", "euc") // in the log, not in the projection
	f.put("A", "late."+parent, "192.0.2.2", dns.AddressTTL)
	r, err := dns.NewReconciler(f.db.Pool, f.store, f.client, dns.ReconcilerConfig{Config: cfg, Logger: f.log,
		DriftCatchUp: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	both := []string{line("A", "gone."+parent, "192.0.2.1", dns.AddressTTL), line("A", "late."+parent, "192.0.2.2", dns.AddressTTL)}
	if err := r.DriftCheck(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.zone(); !slices.Equal(got, both) {
		t.Fatalf("behind: the zone is %q, want %q untouched", got, both)
	}

	f.run("projector again", f.proj.Run)
	f.applied()
	if err := r.DriftCheck(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := f.zone(), both[1:]; !slices.Equal(got, want) {
		t.Fatalf("caught up: the zone is %q, want %q", got, want)
	}
}

// Records deleted, edited or duplicated by hand are repaired by the drift
// check, editing in place where a record is left to edit.
func TestDriftCheckRepairs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.startReconciler("rec", nil)
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	f.report(home, "2001:db8::7")
	f.challenge(home, "v1", "v2")
	want := []string{aLine("home", "203.0.113.7"), aLine("home", "2001:db8::7"), txtLine("home", "v1"), txtLine("home", "v2")}
	f.converge(want...)

	if !f.cf.RemoveRecord(f.cf.ZoneID, f.recordID(aLine("home", "203.0.113.7"))) {
		t.Fatal("nothing removed")
	}
	v1 := f.recordID(txtLine("home", "v1"))
	if err := f.cf.EditRecord(f.cf.ZoneID, v1, func(rec *cftest.Record) { rec.Content, rec.TTL = "forged", 3600 }); err != nil {
		t.Fatal(err)
	}
	v6 := f.recordID(aLine("home", "2001:db8::7"))
	if err := f.cf.EditRecord(f.cf.ZoneID, v6, func(rec *cftest.Record) { rec.Proxied = true }); err != nil {
		t.Fatal(err)
	}
	f.put("TXT", "_acme-challenge.home."+parent, "v2", dns.ChallengeTTL) // a duplicate

	if err := r.DriftCheck(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.converge(want...)
	if got := f.recordID(txtLine("home", "v1")); got != v1 {
		t.Fatalf("the edited TXT record is now %s, want %s rewritten in place", got, v1)
	}
	if got := f.recordID(aLine("home", "2001:db8::7")); got != v6 {
		t.Fatalf("the proxied AAAA record is now %s, want %s rewritten in place", got, v6)
	}
	if s := r.Stats(); s.Orphans != 0 {
		t.Fatalf("a known network's records were taken for orphans: %+v", s)
	}
}

// The periodic drift check deletes records of names that no network of the
// region owns (a network gone, a name never registered), and leaves every
// other name alone: another region's networks, reserved names, other types,
// deeper names and names outside the parent.
func TestDriftCheckDeletesOrphansOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.startReconciler("rec", func(c *dns.ReconcilerConfig) { c.DriftInterval = 50 * time.Millisecond })
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	old := f.register("old", region)
	f.report(old, "203.0.113.8")
	far := f.register("far-away", "eu-west")
	f.report(far, "203.0.113.9")
	f.converge(aLine("home", "203.0.113.7"), aLine("old", "203.0.113.8"))
	f.deprovision(old)
	f.hasLifecycle(old, activated, deprovStarted, deprovisioned)
	f.converge(aLine("home", "203.0.113.7"))

	before := r.Stats().Orphans
	// Orphans: a late record of the gone network, and a name nobody has.
	f.put("A", "old."+parent, "203.0.113.8", 120)
	f.put("TXT", "_acme-challenge.old."+parent, "late", 60)
	f.put("AAAA", "ghost."+parent, "2001:db8::99", 300)
	// Not ours to touch.
	keep := []string{
		aLine("far-away", "203.0.113.9"),            // another region's network
		line("A", "www."+parent, "192.0.2.10", 300), // reserved: never a network's
		line("TXT", "old."+parent, "site-verification", 300),
		line("A", "_acme-challenge.old."+parent, "192.0.2.11", 300),
		line("A", "deep.old."+parent, "192.0.2.12", 300),
		line("A", parent, "192.0.2.13", 300),
		line("A", "old.example.net", "192.0.2.14", 300),
		line("TXT", "_acme-challenge.old.example.net", "x", 300),
	}
	for _, l := range keep {
		var typ, name, content string
		var ttl int
		if _, err := fmt.Sscan(l, &typ, &name, &content, &ttl); err != nil {
			t.Fatal(err)
		}
		f.put(typ, name, content, ttl)
	}
	f.converge(append(slices.Clone(keep), aLine("home", "203.0.113.7"))...)
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); s.Orphans-before != 3 {
			return fmt.Errorf("%d orphans counted, want 3: %+v", s.Orphans-before, s)
		}
		return nil
	})
	// Later drift checks leave the zone as it is.
	n := r.Stats().DriftChecks
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); s.DriftChecks < n+2 {
			return fmt.Errorf("%d drift checks, want two more than %d", s.DriftChecks, n)
		}
		return nil
	})
	f.converge(append(slices.Clone(keep), aLine("home", "203.0.113.7"))...)
}

// A network whose reconcile keeps failing is retried on its own backoff
// and does not hold up the others, even when it is the oldest.
func TestFailingNetworkDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A slug the aggregate would never accept makes a name Cloudflare
	// refuses: every reconcile of this network fails.
	bad := f.register("bad slug", region)
	f.report(bad, "203.0.113.66")
	var want []string
	for i := range 5 {
		slug, ip := fmt.Sprintf("good-%d", i), fmt.Sprintf("203.0.113.%d", i+1)
		f.report(f.register(slug, region), ip)
		want = append(want, aLine(slug, ip))
	}
	f.startReconciler("rec", func(c *dns.ReconcilerConfig) { c.Workers = 1 })
	slices.Sort(want)
	testenv.Eventually(t, patience, func() error {
		var (
			dirty    []string
			failures int
			lastErr  string
		)
		err := f.db.Pool.QueryRow(f.ctx, `SELECT COALESCE(array_agg(d.network_id), '{}'), COALESCE(min(r.failures), 0), COALESCE(min(r.last_error), '')
			FROM `+f.table("dirty")+` d LEFT JOIN dns_local_reconciler.retries r USING (network_id)`).Scan(&dirty, &failures, &lastErr)
		if err != nil {
			return err
		}
		if got := f.zone(); !slices.Equal(got, want) || !slices.Equal(dirty, []string{bad.String()}) || failures < 2 || lastErr == "" {
			return fmt.Errorf("want the good networks published, the bad one retried: zone %v\ndirty %v\nfailures %d, last error %q",
				got, dirty, failures, lastErr)
		}
		return nil
	})
	if l := f.lifecycle(bad); len(l) != 0 {
		t.Fatalf("the failing network moved on: %v", l)
	}
}

// With polling all but off, the notification of Apply's transaction wakes
// the reconciler for every change, and Wake (here by the drift check) does
// too.
func TestNotificationsWakeTheReconciler(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.startReconciler("rec", func(c *dns.ReconcilerConfig) { c.Poll = time.Hour })
	testenv.Eventually(t, patience, func() error {
		if s := r.Stats(); !s.Leader {
			return fmt.Errorf("not leading: %+v", s)
		}
		return nil
	})
	home := f.register("home", region)
	f.report(home, "203.0.113.7")
	f.converge(aLine("home", "203.0.113.7"))
	f.report(home, "203.0.113.8")
	f.converge(aLine("home", "203.0.113.8"))
	f.cf.RemoveRecord(f.cf.ZoneID, f.recordID(aLine("home", "203.0.113.8")))
	if err := r.DriftCheck(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.converge(aLine("home", "203.0.113.8"))
}
