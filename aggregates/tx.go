package aggregates

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// Tx is one attempt of a command: the aggregates it loaded, at which
// versions, and the events it emits. Execute creates a new Tx for every
// attempt. A Tx is not safe for concurrent use.
type Tx struct {
	store  *events.Store
	meta   events.Meta
	fresh  bool // loads skip the cache: this attempt follows a conflict
	loaded map[events.Ref]loadedAggregate
	expect map[events.Ref]events.Expectation
	emits  map[events.Ref][]events.Payload
	order  []events.Ref // aggregates in the order of their first Emit
	// applied holds the loaded aggregates that already hold events of this
	// command, with the sequence of its last event on each.
	applied map[events.Ref]events.StreamSeq
}

type loadedAggregate struct {
	version events.StreamSeq
	state   any
}

// errAlreadyApplied is what Get returns when the command was stored
// before; Execute then reports the earlier result, whatever fn returns.
var errAlreadyApplied = errors.New("aggregates: command already applied")

func newTx(store *events.Store, meta events.Meta, fresh bool) *Tx {
	return &Tx{
		store:   store,
		meta:    meta,
		fresh:   fresh,
		loaded:  make(map[events.Ref]loadedAggregate),
		expect:  make(map[events.Ref]events.Expectation),
		emits:   make(map[events.Ref][]events.Payload),
		applied: make(map[events.Ref]events.StreamSeq),
	}
}

// CommandID is the id the command's events are stored under; the same on
// every attempt.
func (tx *Tx) CommandID() string { return tx.meta.CommandID }

// Get loads aggregate id through repo and records its version as the
// expectation for any event the command emits to it. Loading the same
// aggregate again in one attempt returns the same state. Events emitted in
// this command are not applied to the state Get returns.
//
// Only aggregates the command emits to are checked at append time: the log
// checks a version only on a subject it writes to. A command whose decision
// depends on an aggregate it does not change is not protected from that
// aggregate changing meanwhile.
//
// When the aggregate already holds events of this command (a retry of a
// command that was stored), Get returns an error; fn should return it, and
// Execute then reports the earlier result as a duplicate.
func Get[S any](ctx context.Context, tx *Tx, repo *Repository[S], id string) (S, error) {
	var zero S
	ref, err := repo.Ref(id)
	if err != nil {
		return zero, err
	}
	if l, ok := tx.loaded[ref]; ok {
		s, ok := l.state.(S)
		if !ok {
			return zero, fmt.Errorf("aggregates: get %s: already loaded as %T", ref, l.state)
		}
		return s, nil
	}
	l, pos, err := repo.load(ctx, ref, !tx.fresh)
	if err != nil {
		return zero, err
	}
	if seq, ok := pos.applied(tx.meta.CommandID); ok {
		tx.applied[ref] = seq
		return zero, fmt.Errorf("get %s: %w", ref, errAlreadyApplied)
	}
	tx.loaded[ref] = loadedAggregate{version: l.Version, state: l.State}
	return l.State, nil
}

// Emit adds events for aggregate ref to the command's append. An aggregate
// that was loaded with Get must still be at the version loaded; one that
// was not must be new, unless Expect says otherwise.
func (tx *Tx) Emit(ref events.Ref, payloads ...events.Payload) {
	if len(payloads) == 0 {
		return
	}
	if _, ok := tx.emits[ref]; !ok {
		tx.order = append(tx.order, ref)
	}
	tx.emits[ref] = append(tx.emits[ref], payloads...)
}

// Expect sets the version ref must be at for the append to succeed,
// replacing the default (its loaded version, or new). Use it to claim a
// reservation at the sequence of its release event, to carry a version the
// client sent (If-Match), or with events.AnyVersion for facts that cannot
// contradict anything.
func (tx *Tx) Expect(ref events.Ref, e events.Expectation) { tx.expect[ref] = e }

// changes turns the emitted events into the append's changes.
func (tx *Tx) changes() []events.Change {
	changes := make([]events.Change, 0, len(tx.order))
	for _, ref := range tx.order {
		exp, ok := tx.expect[ref]
		if !ok {
			// A zero version (not loaded, or loaded without events) expects a new aggregate.
			exp = events.ExpectVersion(tx.loaded[ref].version)
		}
		changes = append(changes, events.Change{Aggregate: ref, Expect: exp, Events: tx.emits[ref]})
	}
	return changes
}
