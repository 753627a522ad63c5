package route_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/events"
)

// promptly is how soon after its event a lapse must be reported: the node
// closes the tunnel within a second of the event.
const promptly = time.Second

func TestBuiltFromExistingEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ten := f.tenant()
	home := f.register(ten, "home", region)
	f.activate(home)
	cabin := f.register(ten, "cabin", region)
	f.report(home) // an aggregate the table does not read
	away := f.register(f.tenant(), "away", other)
	f.activate(away)

	tab := f.start(region)
	f.ready(tab)
	if tab.Seq() < 1 {
		t.Fatalf("ready at seq %d", tab.Seq())
	}
	want := []route.Route{
		{Slug: "cabin", NetworkID: cabin, TenantID: ten, Status: network.StatusProvisioning, Entitled: true},
		{Slug: "home", NetworkID: home, TenantID: ten, Status: network.StatusActive, Entitled: true},
	}
	if got := tab.Routes(); !slices.Equal(got, want) {
		t.Fatalf("routes\n got %+v\nwant %+v", got, want)
	}
	if r, ok := tab.Lookup("home"); !ok || r != want[1] {
		t.Fatalf("Lookup(home) = %+v, %v", r, ok)
	}
	if _, ok := tab.Lookup("away"); ok {
		t.Fatal("Lookup found a network of another region")
	}
	for id, want := range map[ids.NetworkID]error{
		home:                     nil,
		cabin:                    nil, // provisioning takes tunnels
		away:                     route.ErrOtherRegion,
		ids.New[ids.NetworkID](): route.ErrUnknownNetwork,
	} {
		if err := tab.Admit(id); !errors.Is(err, want) || (want == nil && err != nil) {
			t.Errorf("Admit(%s) = %v, want %v", id, err, want)
		}
	}
}

func TestNotReadyBeforeRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := f.register(f.tenant(), "home", region)
	tab, err := route.New(f.store, route.Config{Region: region})
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.Admit(home); !errors.Is(err, route.ErrNotReady) {
		t.Fatalf("Admit before Run = %v, want ErrNotReady", err)
	}
	if _, ok := tab.Lookup("home"); ok {
		t.Fatal("Lookup found a route before the table was ready")
	}
	select {
	case <-tab.Ready():
		t.Fatal("ready before Run")
	default:
	}
}

func TestNewRefusesWhatItCannotServe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := route.New(f.nats.Store(t, events.NewCatalog()), route.Config{Region: region}); err == nil {
		t.Error("New accepted a store whose catalogue does not know network events")
	}
	for _, r := range []naming.Region{"", "EU", "eu,us"} {
		if _, err := route.New(f.store, route.Config{Region: r}); !errors.Is(err, naming.ErrUnknownRegion) {
			t.Errorf("New(region %q) = %v, want ErrUnknownRegion", r, err)
		}
	}
}

func TestFollowsNewEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tab := f.start(region)
	f.ready(tab) // an empty log: ready at once
	if got := tab.Routes(); len(got) != 0 {
		t.Fatalf("routes of an empty log: %+v", got)
	}
	ten := f.tenant()
	home := f.register(ten, "home", region)
	f.register(ten, "away", other)
	f.caughtUp(tab)
	r, ok := tab.Lookup("home")
	if !ok || r.Status != network.StatusProvisioning || r.NetworkID != home || !r.Entitled {
		t.Fatalf("Lookup(home) = %+v, %v", r, ok)
	}
	f.activate(home)
	f.caughtUp(tab)
	if r, _ := tab.Lookup("home"); r.Status != network.StatusActive {
		t.Fatalf("after activation: %+v", r)
	}
	if _, ok := tab.Lookup("away"); ok {
		t.Fatal("Lookup found a network of another region")
	}
}

func TestDeprovisioningClosesAdmission(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ten := f.tenant()
	home := f.register(ten, "home", region)
	f.activate(home)
	away := f.register(ten, "away", other)
	tab := f.start(region)
	f.ready(tab)
	lapsed := subscribe(t, tab)

	f.deprovision(away) // another region's: nothing here lapses
	f.deprovision(home)
	l := lapsed.next(t, promptly)
	if l.Route.NetworkID != home || l.Route.Status != network.StatusDeprovisioning || !errors.Is(l.Reason, route.ErrDeprovisioning) {
		t.Fatalf("lapse %+v", l)
	}
	if err := tab.Admit(home); !errors.Is(err, route.ErrDeprovisioning) {
		t.Fatalf("Admit = %v, want ErrDeprovisioning", err)
	}
	// The slug is still held while its records go.
	if r, ok := tab.Lookup("home"); !ok || !errors.Is(r.Err(), route.ErrDeprovisioning) {
		t.Fatalf("Lookup(home) = %+v, %v", r, ok)
	}

	f.markDeprovisioned(home)
	f.caughtUp(tab)
	lapsed.none(t) // it had lapsed already
	if err := tab.Admit(home); !errors.Is(err, route.ErrDeprovisioned) {
		t.Fatalf("Admit = %v, want ErrDeprovisioned", err)
	}
	if _, ok := tab.Lookup("home"); ok {
		t.Fatal("Lookup found a deprovisioned network")
	}

	// The released slug goes to whoever registers it next.
	again := f.register(f.tenant(), "home", region)
	f.caughtUp(tab)
	if r, ok := tab.Lookup("home"); !ok || r.NetworkID != again || r.Err() != nil {
		t.Fatalf("Lookup(home) after re-registration = %+v, %v", r, ok)
	}
	if err := tab.Admit(home); !errors.Is(err, route.ErrDeprovisioned) {
		t.Fatalf("the old network: Admit = %v, want ErrDeprovisioned", err)
	}
	lapsed.none(t)
}

func TestLapsedEntitlement(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	expiring, leaving, staying := f.tenant(), f.tenant(), f.tenant()
	a := f.register(expiring, "alpha", region)
	b := f.register(expiring, "bravo", region)
	f.register(expiring, "away", other)
	c := f.register(leaving, "charlie", region)
	d := f.register(staying, "delta", region)
	tab := f.start(region)
	f.ready(tab)
	lapsed := subscribe(t, tab)

	// The trial expires and the reaper closes it: both of the tenant's
	// networks of this region lapse, in one event.
	f.closeSubscription(expiring)
	var got []ids.NetworkID
	var seq events.StreamSeq
	for range 2 {
		l := lapsed.next(t, promptly)
		if !errors.Is(l.Reason, route.ErrNotEntitled) || l.Route.Entitled || l.Route.TenantID != expiring {
			t.Fatalf("lapse %+v", l)
		}
		if seq != 0 && l.Seq != seq {
			t.Fatalf("lapses of one event at seqs %d and %d", seq, l.Seq)
		}
		got, seq = append(got, l.Route.NetworkID), l.Seq
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values([]ids.NetworkID{a, b}))) {
		t.Fatalf("lapsed %v, want %v and %v", got, a, b)
	}
	for _, id := range []ids.NetworkID{a, b} {
		if err := tab.Admit(id); !errors.Is(err, route.ErrNotEntitled) {
			t.Fatalf("Admit(%s) = %v, want ErrNotEntitled", id, err)
		}
	}

	// A deregistered tenant lapses at once, before the process manager
	// closes its subscription.
	f.deregister(leaving)
	if l := lapsed.next(t, promptly); l.Route.NetworkID != c || !errors.Is(l.Reason, route.ErrNotEntitled) {
		t.Fatalf("lapse %+v", l)
	}
	f.closeSubscription(leaving)
	f.caughtUp(tab)
	lapsed.none(t) // already lapsed

	if err := tab.Admit(d); err != nil {
		t.Fatalf("the other tenant's network: Admit = %v", err)
	}
	// A network registered after the lapse is not entitled either.
	late := f.register(expiring, "echo", region)
	f.caughtUp(tab)
	if err := tab.Admit(late); !errors.Is(err, route.ErrNotEntitled) {
		t.Fatalf("Admit(late) = %v, want ErrNotEntitled", err)
	}
	lapsed.none(t)
}

// TestNoLapsesBeforeReady: history is not reported; only what lapses
// after the table is ready.
func TestNoLapsesBeforeReady(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gone := f.register(f.tenant(), "gone", region)
	f.deprovision(gone)
	var lapsed *lapses
	tab := f.startOn(f.store, region, func(r *running) { lapsed = subscribe(t, r) })
	f.caughtUp(tab)
	lapsed.none(t)
	if err := tab.Admit(gone); !errors.Is(err, route.ErrDeprovisioning) {
		t.Fatalf("Admit = %v, want ErrDeprovisioning", err)
	}
}

func TestRebuiltIdenticallyAfterRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var all []ids.NetworkID
	for i := range 6 {
		ten := f.tenant()
		for j := range 3 {
			in := region
			if j == 2 {
				in = other
			}
			id := f.register(ten, fmt.Sprintf("net-%d-%d", i, j), in)
			all = append(all, id)
			switch (i + j) % 4 {
			case 1:
				f.activate(id)
			case 2:
				f.deprovision(id)
			case 3:
				f.deprovision(id)
				f.markDeprovisioned(id)
			}
			f.report(id)
		}
		if i%3 == 0 {
			f.closeSubscription(ten)
		}
	}
	first := f.start(region)
	f.caughtUp(first)
	before, verdicts := first.Routes(), admissions(first.Table, all)
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}

	// The node restarts, and so does the NATS server: the table is built
	// again from the log alone.
	f.nats.Restart(t)
	f.store = f.nats.Store(t, catalog())
	second := f.start(region)
	f.caughtUp(second)
	if after := second.Routes(); !slices.Equal(before, after) {
		t.Fatalf("rebuilt routes differ:\nbefore %+v\n after %+v", before, after)
	}
	if again := admissions(second.Table, all); !slices.Equal(verdicts, again) {
		t.Fatalf("rebuilt admissions differ:\nbefore %v\n after %v", verdicts, again)
	}
	if len(before) == 0 || !slices.ContainsFunc(verdicts, func(s string) bool { return s == "ok" }) {
		t.Fatalf("a history without live networks proves nothing: %+v %v", before, verdicts)
	}
}

// admissions renders Admit's verdict on each network.
func admissions(tab *route.Table, all []ids.NetworkID) []string {
	out := make([]string, len(all))
	for i, id := range all {
		out[i] = "ok"
		for _, e := range []error{route.ErrOtherRegion, route.ErrDeprovisioning, route.ErrDeprovisioned, route.ErrNotEntitled, route.ErrUnknownNetwork} {
			if err := tab.Admit(id); errors.Is(err, e) {
				out[i] = e.Error()
			}
		}
	}
	return out
}

// TestFollowsAcrossServerRestart: a table on a connection of its own goes
// on following when nats-server restarts under it.
func TestFollowsAcrossServerRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	nc, err := nats.Connect(f.nats.URL, events.ConnOption(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	tab := f.startOn(events.NewStore(js, catalog()), region, nil)
	f.ready(tab)
	lapsed := subscribe(t, tab)
	ten := f.tenant()
	home := f.register(ten, "home", region)
	f.caughtUp(tab)

	f.nats.Restart(t)
	f.store = f.nats.Store(t, catalog())
	f.deprovision(home)
	if l := lapsed.next(t, patience); l.Route.NetworkID != home {
		t.Fatalf("lapse %+v", l)
	}
	f.caughtUp(tab)
}

// TestHaltsOnAnEventItCannotDecode: the table stops following at an event
// it cannot read, and keeps answering from what it had.
func TestHaltsOnAnEventItCannotDecode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	home := f.register(f.tenant(), "home", region)
	tab := f.start(region)
	f.ready(tab)
	// A network event without its envelope.
	if _, err := f.nats.JS.Publish(f.ctx, events.SubjectPrefix+network.Type+"."+home.String(), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case <-tab.exited:
		err = tab.err
	case <-time.After(patience):
		t.Fatalf("Run still running %s after a malformed event", patience)
	}
	if !errors.Is(err, route.ErrHalted) || !errors.Is(err, events.ErrMalformed) {
		t.Fatalf("Run = %v, want ErrHalted and ErrMalformed", err)
	}
	if err := tab.Admit(home); err != nil {
		t.Fatalf("after the halt: Admit = %v", err)
	}
}
