package dns_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
)

// applied waits until the projection has applied the whole log and
// returns the log's last sequence.
func (f *fixture) applied() events.StreamSeq {
	f.t.Helper()
	var last events.StreamSeq
	testenv.Eventually(f.t, patience, func() error {
		var err error
		if last, err = f.store.LastSeq(f.ctx); err != nil {
			return err
		}
		var cp uint64
		if err := f.db.Pool.QueryRow(f.ctx, `SELECT checkpoint FROM projections WHERE name = $1`, dns.ProjectionName(region)).Scan(&cp); err != nil {
			return err
		}
		if cp != uint64(last) {
			return fmt.Errorf("projection not applied: checkpoint %d, log %d", cp, last)
		}
		return nil
	})
	return last
}

// desired is a network's desired records, rendered and sorted.
func (f *fixture) desired(id ids.NetworkID) []string {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.ctx, `SELECT type, name, content, ttl FROM `+f.table("desired")+` WHERE network_id = $1`, id.String())
	if err != nil {
		f.t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var typ, name, content string
		var ttl int
		err := r.Scan(&typ, &name, &content, &ttl)
		return line(typ, name, content, ttl), err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// dirtyAt is the sequence of a network's dirty mark; 0 when it is clean.
func (f *fixture) dirtyAt(id ids.NetworkID) events.StreamSeq {
	f.t.Helper()
	var seq int64
	err := f.db.Pool.QueryRow(f.ctx, `SELECT seq FROM `+f.table("dirty")+` WHERE network_id = $1`, id.String()).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return events.StreamSeq(seq)
}

func (f *fixture) expectDesired(id ids.NetworkID, want ...string) {
	f.t.Helper()
	slices.Sort(want)
	if got := f.desired(id); !slices.Equal(got, want) {
		f.t.Fatalf("desired records of %s:\n got  %q\n want %q", id, got, want)
	}
}

// Desired records follow the events: A, AAAA, one TXT per challenge value,
// nothing once deprovisioning; each change marks the network dirty at its
// event, and a change that changes nothing does not.
func TestDesiredRecordsFollowTheLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := f.register("home", region)
	f.applied()
	f.expectDesired(home)
	if s := f.dirtyAt(home); s != 0 {
		t.Fatalf("a network without reports is dirty at %d", s)
	}

	f.report(home, "203.0.113.7")
	last := f.applied()
	f.expectDesired(home, aLine("home", "203.0.113.7"))
	if s := f.dirtyAt(home); s != last {
		t.Fatalf("dirty at %d, want %d", s, last)
	}
	f.report(home, "2001:db8::7")
	f.challenge(home, "v2", "v1")
	last = f.applied()
	f.expectDesired(home, aLine("home", "203.0.113.7"), aLine("home", "2001:db8::7"), txtLine("home", "v1"), txtLine("home", "v2"))
	if s := f.dirtyAt(home); s != last {
		t.Fatalf("dirty at %d, want %d", s, last)
	}
	// The same values again (in another order) change no record.
	f.challenge(home, "v1", "v2")
	f.applied()
	if s := f.dirtyAt(home); s != last {
		t.Fatalf("an event that changed no record moved the mark from %d to %d", last, s)
	}
	f.report(home, "198.51.100.1")
	f.challenge(home)
	f.applied()
	f.expectDesired(home, aLine("home", "198.51.100.1"), aLine("home", "2001:db8::7"))

	// Activation changes no record: the mark stays where it was.
	before := f.dirtyAt(home)
	f.append(network.Type, home.String(), network.Activated{})
	f.applied()
	if s := f.dirtyAt(home); s != before {
		t.Fatalf("activation moved the dirty mark from %d to %d", before, s)
	}

	f.deprovision(home)
	last = f.applied()
	f.expectDesired(home)
	if s := f.dirtyAt(home); s != last {
		t.Fatalf("deprovisioning: dirty at %d, want %d", s, last)
	}
	// A late report publishes nothing.
	f.report(home, "198.51.100.2")
	f.applied()
	f.expectDesired(home)

	f.append(network.Type, home.String(), network.Deprovisioned{})
	f.applied()
	var n int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT (SELECT count(*) FROM `+f.table("networks")+`) + (SELECT count(*) FROM `+f.table("dirty")+`)
		+ (SELECT count(*) FROM `+f.table("desired")+`)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a deprovisioned network left %d rows (%v)", n, err)
	}
}

// A deprovisioning network is dirty even when it never published anything,
// so that the reconciler decides its end.
func TestDeprovisioningWithoutRecordsIsDirty(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.register("quiet", region)
	f.deprovision(id)
	last := f.applied()
	if s := f.dirtyAt(id); s != last {
		t.Fatalf("dirty at %d, want %d", s, last)
	}
}

// Reports are kept per network id whatever the order and the region:
// reports before the registration count from it; another region's network
// publishes nothing here.
func TestReportsOfUnknownAndForeignNetworks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	early := ids.New[ids.NetworkID]()
	f.report(early, "203.0.113.9")
	f.challenge(early, "tok")
	f.applied()
	f.expectDesired(early)

	f.registerID(early, "early", region)
	last := f.applied()
	f.expectDesired(early, aLine("early", "203.0.113.9"), txtLine("early", "tok"))
	if s := f.dirtyAt(early); s != last {
		t.Fatalf("dirty at %d, want %d", s, last)
	}

	far := f.register("far-away", "eu-west")
	f.report(far, "203.0.113.10")
	f.applied()
	f.expectDesired(far)
	if s := f.dirtyAt(far); s != 0 {
		t.Fatalf("another region's network is dirty at %d", s)
	}
}

// The challenge name publishes the daemon's values and every live acme-dns
// account's, once each: the daemon's clear leaves the accounts' values, an
// account's update leaves the daemon's and the other accounts', and a
// revoked account's values go, as does anything it appends later. An
// update credential's revocation, or another network's account, changes
// nothing.
func TestAccountChallenges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home, other := f.register("home", region), f.register("other", region)
	acc1, acc2, theirs := f.account(home), f.account(home), f.account(other)
	f.challenge(home, "d1", "shared")
	f.accountChallenge(home, acc1, "a1", "shared")
	f.accountChallenge(home, acc2, "b1")
	f.accountChallenge(other, theirs, "t1")
	f.applied()
	f.expectDesired(home, txtLine("home", "a1"), txtLine("home", "b1"), txtLine("home", "d1"), txtLine("home", "shared"))
	f.expectDesired(other, txtLine("other", "t1"))

	f.challenge(home)
	last := f.applied()
	f.expectDesired(home, txtLine("home", "a1"), txtLine("home", "b1"), txtLine("home", "shared"))
	if s := f.dirtyAt(home); s != last {
		t.Fatalf("dirty at %d, want %d", s, last)
	}
	f.accountChallenge(home, acc1, "shared", "a2")
	f.applied()
	f.expectDesired(home, txtLine("home", "a2"), txtLine("home", "b1"), txtLine("home", "shared"))

	// An update credential's revocation changes nothing, not even the mark.
	before := f.dirtyAt(home)
	f.revoke(home, ids.New[ids.CredentialID]())
	f.applied()
	if s := f.dirtyAt(home); s != before {
		t.Fatalf("a revocation that changed no record moved the mark from %d to %d", before, s)
	}
	f.revoke(home, acc1)
	last = f.applied()
	f.expectDesired(home, txtLine("home", "b1"))
	if s := f.dirtyAt(home); s != last {
		t.Fatalf("revoked: dirty at %d, want %d", s, last)
	}
	// A revoked account's late update (its command checked the network
	// just before the revocation) publishes nothing.
	f.accountChallenge(home, acc1, "late")
	f.applied()
	f.expectDesired(home, txtLine("home", "b1"))

	// Deprovisioned: its accounts go with it.
	f.deprovision(home)
	f.append(network.Type, home.String(), network.Deprovisioned{})
	f.applied()
	var n int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM `+f.table("accounts")+` WHERE network_id = $1`, home.String()).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a deprovisioned network left %d accounts (%v)", n, err)
	}
	f.expectDesired(other, txtLine("other", "t1"))
}

// A projection an earlier build set up, without the accounts table, gets
// it when its projector starts (projectors.Migrator) and goes on from
// where it was: the values accounts set before are the daemon's
// (ChallengeSet, as the events say), those they set after are theirs.
func TestMigrate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := f.register("home", region)
	f.challenge(home, "old-account-value")
	f.applied()
	f.stopProj()
	if _, err := f.db.Pool.Exec(f.ctx, `DROP TABLE `+f.table("accounts")); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // started twice: the second migration finds nothing to do
		proj, err := projectors.New(f.db.Pool, f.store, dns.NewProjection(cfg), projectors.Options{PinnedTTL: 3 * time.Second, Logger: f.log})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			stop := f.start("migrated projector", proj.Run)
			f.applied()
			stop()
			continue
		}
		f.run("migrated projector, again", proj.Run)
	}
	acc := f.account(home)
	f.accountChallenge(home, acc, "new")
	f.applied()
	f.expectDesired(home, txtLine("home", "new"), txtLine("home", "old-account-value"))
	f.revoke(home, acc)
	f.applied()
	f.expectDesired(home, txtLine("home", "old-account-value"))
}

// A rebuild from sequence 0 yields the same desired records.
func TestRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b, c := f.register("alpha", region), f.register("bravo", region), f.register("charlie", "eu-west")
	f.report(a, "203.0.113.1")
	f.challenge(a, "x", "y")
	acc, gone := f.account(a), f.account(a)
	f.accountChallenge(a, acc, "z")
	f.accountChallenge(a, gone, "w")
	f.revoke(a, gone)
	f.report(b, "2001:db8::b")
	f.report(c, "203.0.113.3")
	f.deprovision(b)
	f.applied()
	before := f.dump()
	if err := f.proj.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
	if after := f.dump(); !slices.Equal(before, after) {
		t.Fatalf("rebuilt read model differs:\nlive    %v\nrebuilt %v", before, after)
	}
}

// dump renders the projection's tables except the dirty marks, which a
// rebuild sets anew.
func (f *fixture) dump() []string {
	f.t.Helper()
	var out []string
	for _, table := range []string{"networks", "elsewhere", "reports", "accounts", "desired"} {
		rows, err := f.db.Pool.Query(f.ctx, `SELECT t::text FROM `+f.table(table)+` t ORDER BY 1`)
		if err != nil {
			f.t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(append(out, table), got...)
	}
	return out
}
