package route

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// Config says which networks a Table holds and where it reads them.
type Config struct {
	// Region is the node's region; networks of other regions are not
	// routed.
	Region naming.Region
	// Stream is the stream to read: events.StreamName (the default), or
	// the region's mirror of it, which has the same sequences.
	Stream string
	// Logger receives the table's warnings; slog.Default when nil.
	Logger *slog.Logger
}

// Table is the routing table of one region. Lookup, Admit, Routes, Seq,
// Ready and Subscribe are safe for concurrent use; Run applies the log.
type Table struct {
	store  *events.Store
	region naming.Region
	stream string
	log    *slog.Logger

	ready   chan struct{} // closed once caught up
	isReady atomic.Bool   // the same, for the hot path
	seq     atomic.Uint64 // the last event applied
	running atomic.Bool

	// mu guards everything below. Run is the only writer.
	mu        sync.RWMutex
	bySlug    map[naming.Slug]*entry     // networks holding their slug: live and deprovisioning
	networks  map[ids.NetworkID]*entry   // every network of the region, deprovisioned ones included
	tenants   map[ids.TenantID]*holder   // every tenant seen, of any region
	elsewhere map[ids.NetworkID]struct{} // live networks of other regions

	smu  sync.Mutex // guards subs and nextSub
	subs map[int]func(Lapse)
	next int
}

// entry is one network of the region.
type entry struct {
	state  network.State // its events folded by network.Evolve
	route  Route
	tenant *holder
}

// holder is one tenant: what decides its entitlement, and its networks
// of the region that are not deprovisioned.
type holder struct {
	sub      subscription.State
	ten      tenant.State
	networks []*entry
}

// entitled is the tunneller's rule (contract §4.2, §4.6): an open
// subscription, grace-free, of a tenant that is not deregistered.
func (h *holder) entitled() bool {
	gone := h.ten.Exists() && !h.ten.Live()
	return h.sub.Current() && !gone
}

// needs are the event types the table reads; the store's catalogue must
// decode them.
var needs = []events.Payload{
	network.Registered{}, network.Activated{}, network.DeprovisioningStarted{}, network.Deprovisioned{},
	subscription.TrialOpened{}, subscription.Closed{},
	tenant.Created{}, tenant.Deregistered{}, tenant.Swept{},
}

// New returns an empty table for cfg.Region over store, whose catalogue
// must know the network, subscription and tenant events. Run fills it.
func New(store *events.Store, cfg Config) (*Table, error) {
	if rs, err := naming.ParseRegions(string(cfg.Region)); err != nil || len(rs) != 1 || rs[0] != cfg.Region {
		return nil, fmt.Errorf("route: region %q: %w", cfg.Region, naming.ErrUnknownRegion)
	}
	for _, p := range needs {
		if _, ok := store.Catalog().Version(p.EventType()); !ok {
			return nil, fmt.Errorf("route: the store's catalogue does not know %s: register packages network, subscription and tenant", p.EventType())
		}
	}
	t := &Table{
		store:     store,
		region:    cfg.Region,
		stream:    cmp.Or(cfg.Stream, events.StreamName),
		log:       cmp.Or(cfg.Logger, slog.Default()).With("region", string(cfg.Region)),
		ready:     make(chan struct{}),
		bySlug:    map[naming.Slug]*entry{},
		networks:  map[ids.NetworkID]*entry{},
		tenants:   map[ids.TenantID]*holder{},
		elsewhere: map[ids.NetworkID]struct{}{},
		subs:      map[int]func(Lapse){},
	}
	return t, nil
}

// Lookup returns the route of the network holding slug: live, or
// deprovisioning (check Route.Err before sending it traffic). It finds
// nothing before the table is Ready. It allocates nothing.
func (t *Table) Lookup(slug naming.Slug) (Route, bool) {
	if !t.isReady.Load() {
		return Route{}, false
	}
	t.mu.RLock()
	e, ok := t.bySlug[slug]
	var r Route
	if ok {
		r = e.route
	}
	t.mu.RUnlock()
	return r, ok
}

// Admit reports whether network id may hold a tunnel on this node: nil,
// or an error matching one of ErrNotReady, ErrUnknownNetwork,
// ErrOtherRegion, ErrDeprovisioning, ErrDeprovisioned and ErrNotEntitled.
//
// A tunnel admitted here must be where the node's Subscribe function finds
// it before the next event is applied: register it, then Admit (or Admit
// again after registering), so that a lapse between the two is not missed.
func (t *Table) Admit(id ids.NetworkID) error {
	if !t.isReady.Load() {
		return ErrNotReady
	}
	t.mu.RLock()
	e, ok := t.networks[id]
	_, foreign := t.elsewhere[id]
	var r Route
	if ok {
		r = e.route
	}
	t.mu.RUnlock()
	switch {
	case foreign:
		return fmt.Errorf("network %s: %w", id, ErrOtherRegion)
	case !ok:
		return fmt.Errorf("network %s: %w", id, ErrUnknownNetwork)
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("network %s (%s): %w", id, r.Slug, err)
	}
	return nil
}

// Ready is closed once the table has applied every event the stream held
// when Run started.
func (t *Table) Ready() <-chan struct{} { return t.ready }

// Seq is the sequence of the last event the table applied (or skipped).
func (t *Table) Seq() events.StreamSeq { return events.StreamSeq(t.seq.Load()) }

// Routes lists the networks that hold their slug (live and
// deprovisioning), by slug.
func (t *Table) Routes() []Route {
	t.mu.RLock()
	out := make([]Route, 0, len(t.bySlug))
	for _, e := range t.bySlug {
		out = append(out, e.route)
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b Route) int { return cmp.Compare(a.Slug, b.Slug) })
	return out
}

// Subscribe calls fn with every Lapse from now on, until the returned
// function is called. fn runs on the table's goroutine, in log order, and
// must return quickly (cancel a tunnel's context, not wait for it to
// close): the table applies nothing else meanwhile. Lapses of the events
// applied before Ready are not reported (no tunnel was admitted then).
func (t *Table) Subscribe(fn func(Lapse)) (unsubscribe func()) {
	t.smu.Lock()
	id := t.next
	t.next++
	t.subs[id] = fn
	t.smu.Unlock()
	return func() {
		t.smu.Lock()
		delete(t.subs, id)
		t.smu.Unlock()
	}
}

// notify hands lapses to the subscribers, outside the table's lock.
func (t *Table) notify(lapses []Lapse) {
	if len(lapses) == 0 || !t.isReady.Load() {
		return
	}
	t.smu.Lock()
	fns := make([]func(Lapse), 0, len(t.subs))
	for _, fn := range t.subs {
		fns = append(fns, fn)
	}
	t.smu.Unlock()
	for _, l := range lapses {
		for _, fn := range fns {
			fn(l)
		}
	}
}

// markReady closes Ready once.
func (t *Table) markReady() {
	if t.isReady.CompareAndSwap(false, true) {
		close(t.ready)
		t.log.Info("route: table ready", "seq", t.Seq(), "networks", t.count())
	}
}

func (t *Table) count() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.bySlug)
}
