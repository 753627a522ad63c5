package route

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// apply folds one event into the table and returns the networks it made
// non-admissible. Events of other aggregates change nothing.
func (t *Table) apply(rec events.Record) []Lapse {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch rec.Aggregate.Type() {
	case network.Type:
		return t.applyNetwork(rec)
	case subscription.Type:
		h := t.holder(ids.TenantID(rec.Aggregate.ID()))
		h.sub = subscription.Evolve(h.sub, rec)
		return t.reentitle(h, rec.Seq)
	case tenant.Type:
		h := t.holder(ids.TenantID(rec.Aggregate.ID()))
		h.ten = tenant.Evolve(h.ten, rec)
		return t.reentitle(h, rec.Seq)
	}
	return nil
}

// applyNetwork folds a network event. A network's first event is its
// registration, which says its region: events of a network the table
// does not hold are another region's (or come before a registration the
// log never had) and change nothing.
func (t *Table) applyNetwork(rec events.Record) []Lapse {
	id := ids.NetworkID(rec.Aggregate.ID())
	e, ok := t.networks[id]
	if !ok {
		switch ev := rec.Data.(type) {
		case network.Registered:
			if ev.Region != t.region {
				t.elsewhere[id] = struct{}{}
				return nil
			}
			e = &entry{state: network.Initial()}
			t.networks[id] = e
		case network.Deprovisioned:
			delete(t.elsewhere, id)
			return nil
		default:
			return nil
		}
	}
	before := e.route.Err() == nil
	e.state = network.Evolve(e.state, rec)
	switch rec.Data.(type) {
	case network.Registered:
		t.register(id, e)
	case network.Deprovisioned:
		t.release(e)
	}
	e.route.Status = e.state.Status
	if before && e.route.Err() != nil {
		return []Lapse{{Route: e.route, Reason: e.route.Err(), Seq: rec.Seq}}
	}
	return nil
}

// register makes e the holder of its slug and one of its tenant's
// networks.
func (t *Table) register(id ids.NetworkID, e *entry) {
	if e.tenant != nil { // registered twice: forget the first registration
		t.unindex(e)
	}
	h := t.holder(e.state.TenantID)
	h.networks = append(h.networks, e)
	e.tenant = h
	e.route = Route{Slug: e.state.Slug, NetworkID: id, TenantID: e.state.TenantID, Entitled: h.entitled()}
	t.bySlug[e.state.Slug] = e
}

// release frees a deprovisioned network's slug (unless another network
// took it since) and keeps only its tombstone, for ErrDeprovisioned.
func (t *Table) release(e *entry) {
	t.unindex(e)
	e.state.Daemons, e.state.Credentials = nil, nil
}

// unindex takes e out of the slug index (unless another network took its
// slug since) and out of its tenant's networks.
func (t *Table) unindex(e *entry) {
	if t.bySlug[e.route.Slug] == e {
		delete(t.bySlug, e.route.Slug)
	}
	if e.tenant != nil {
		e.tenant.remove(e)
		e.tenant = nil
	}
}

// reentitle recomputes the entitlement of h's networks after an event of
// its subscription or tenant at seq.
func (t *Table) reentitle(h *holder, seq events.StreamSeq) []Lapse {
	entitled := h.entitled()
	var lapses []Lapse
	for _, e := range h.networks {
		before := e.route.Err() == nil
		e.route.Entitled = entitled
		if before && e.route.Err() != nil {
			lapses = append(lapses, Lapse{Route: e.route, Reason: e.route.Err(), Seq: seq})
		}
	}
	return lapses
}

// holder returns tenant id's holder, created on first sight.
func (t *Table) holder(id ids.TenantID) *holder {
	h, ok := t.tenants[id]
	if !ok {
		h = &holder{sub: subscription.Initial(), ten: tenant.Initial()}
		t.tenants[id] = h
	}
	return h
}

// remove drops e from h's networks.
func (h *holder) remove(e *entry) {
	for i, n := range h.networks {
		if n == e {
			h.networks = append(h.networks[:i], h.networks[i+1:]...)
			return
		}
	}
}
