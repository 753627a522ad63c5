package credentials_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/credentials"
)

// appendOnly appends evs to aggregate typ.id and returns the sequence of
// the last, without waiting for the projection.
func (f *fixture) appendOnly(typ string, id ids.NetworkID, evs ...events.Payload) events.StreamSeq {
	f.t.Helper()
	res, err := f.store.Append(f.t.Context(), events.Meta{Actor: "test"}, events.Change{
		Aggregate: events.MustRef(typ, id.String()), Expect: events.AnyVersion(), Events: evs,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Last
}

// lookupCurrent runs LookupCurrent and measures it.
func (f *fixture) lookupCurrent(username string) (credentials.Credential, time.Duration, error) {
	f.t.Helper()
	start := time.Now()
	c, err := f.reader.LookupCurrent(f.t.Context(), username)
	return c, time.Since(start), err
}

// The end the reader waits for is the newest network event, found with a
// get-last-message request on the wildcard subject wardnet.ev.network.*
// (nats-server answers the newest message of any subject it matches), not
// the log's last event, which may be of a subject the projection never
// reads.
func TestNewestNetworkEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	wantEnd := func(want events.StreamSeq) {
		t.Helper()
		got, err := f.reader.End(ctx)
		if err != nil || got != want {
			t.Fatalf("end %d, %v; want %d", got, err, want)
		}
	}
	wantEnd(0) // an empty log

	a, b := ids.New[ids.NetworkID](), ids.New[ids.NetworkID]()
	f.appendOnly(network.Type, a, registered(ids.New[ids.TenantID](), "alpha", "local"))
	second := f.appendOnly(network.Type, b, registered(ids.New[ids.TenantID](), "bravo", "local"))
	report := f.appendOnly(report.Type, a, report.AddressReported{Address: netip.MustParseAddr("81.2.69.142")})
	if report <= second {
		t.Fatalf("the report at %d, the network event at %d", report, second)
	}
	wantEnd(second)
	wantEnd(second) // the stream handle, cached, again

	third := f.appendOnly(network.Type, a, network.Activated{})
	wantEnd(third)
}

// LookupCurrent sees a credential issued a moment ago: it waits for the
// projection to reach the newest network event when the username is not
// there yet. When the projection is there already it does not wait, even
// though the log's last event is one the projection never reads.
func TestLookupCurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.reader.SetTimeout(10 * time.Second) // long enough to see a wait that should not be
	home := ids.New[ids.NetworkID]()
	f.append(home, registered(ids.New[ids.TenantID](), "home", "local"))

	// Issued and looked up at once, many times over: found every time.
	for i := range 20 {
		id := ids.New[ids.CredentialID]()
		username := "home-" + id.String()[:8]
		f.appendOnly(network.Type, home, issued(id, network.CredentialUpdate, username))
		c, _, err := f.lookupCurrent(username)
		if err != nil || c.ID != id {
			t.Fatalf("issue %d: %+v, %v", i, c, err)
		}
	}

	// A username nobody has, with the projection at the end and a report
	// last in the log: not found, at once.
	f.appendOnly(report.Type, home, report.AddressReported{Address: netip.MustParseAddr("81.2.69.142")})
	for range 5 {
		if c, took, err := f.lookupCurrent("home-nobody00"); !errors.Is(err, credentials.ErrNotFound) || took > 2*time.Second {
			t.Fatalf("unknown username: %+v, %v after %s; want not found without a wait", c, err, took)
		}
	}
}

// A projection that does not reach the log in time leaves the answer
// unknown (ErrBehind), for a credential it has not applied and for a
// username nobody has alike; a credential it has is found without waiting.
// Once it is back the waiting lookup finds the new credential.
func TestLookupCurrentBehind(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := ids.New[ids.NetworkID]()
	f.append(home, registered(ids.New[ids.TenantID](), "home", "local"), issued(ids.New[ids.CredentialID](), network.CredentialUpdate, "home-known000"))
	f.stopProj()

	id := ids.New[ids.CredentialID]()
	f.appendOnly(network.Type, home, issued(id, network.CredentialUpdate, "home-fresh000"))
	f.reader.SetTimeout(300 * time.Millisecond)
	for _, username := range []string{"home-fresh000", "home-nobody00"} {
		c, took, err := f.lookupCurrent(username)
		if !errors.Is(err, credentials.ErrBehind) || errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("%s: %+v, %v; want ErrBehind", username, c, err)
		}
		if took < 300*time.Millisecond || took > 5*time.Second {
			t.Errorf("%s: answered after %s, want the timeout of 300ms", username, took)
		}
	}
	if c, took, err := f.lookupCurrent("home-known000"); err != nil || took > 2*time.Second {
		t.Fatalf("a credential the projection has: %+v, %v after %s", c, err, took)
	}

	f.reader.SetTimeout(30 * time.Second)
	f.startProjector()
	if c, _, err := f.lookupCurrent("home-fresh000"); err != nil || c.ID != id {
		t.Fatalf("once the projection is back: %+v, %v", c, err)
	}
	if _, _, err := f.lookupCurrent("home-nobody00"); !errors.Is(err, credentials.ErrNotFound) {
		t.Fatalf("unknown username once the projection is back: %v", err)
	}
}

// A lookup before the projector ever ran (no tables yet) waits for it like
// any lookup of a projection that is behind: ErrBehind while it does not
// run, the credential once it has.
func TestLookupCurrentBeforeTheProjectorRan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stopProj()
	fresh := testenv.Postgres(t)
	reader := credentials.NewReader(fresh.Pool, f.store)
	reader.SetTimeout(300 * time.Millisecond)
	home, id := ids.New[ids.NetworkID](), ids.New[ids.CredentialID]()
	f.appendOnly(network.Type, home, registered(ids.New[ids.TenantID](), "home", "local"), issued(id, network.CredentialUpdate, "home-early000"))
	if c, err := reader.LookupCurrent(t.Context(), "home-early000"); !errors.Is(err, credentials.ErrBehind) {
		t.Fatalf("before the projector ran: %+v, %v; want ErrBehind", c, err)
	}

	p, err := projectors.New(fresh.Pool, f.store, credentials.New(), projectors.Options{PinnedTTL: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	reader.SetTimeout(30 * time.Second)
	if c, err := reader.LookupCurrent(t.Context(), "home-early000"); err != nil || c.ID != id {
		t.Fatalf("once the projector runs: %+v, %v", c, err)
	}
}
