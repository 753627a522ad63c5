package aggregates

import "github.com/wardnet/wardnet-cloud/events"

// Kind describes one type of aggregate to the runtime. Aggregate packages
// import only events and the standard library, so the service that runs
// one builds its Kind from the package's type name, Evolve and state
// version (see the example).
type Kind[S any] struct {
	// Type is the aggregate type of the events.Ref, e.g. "tenant".
	Type string
	// Initial returns the state of an aggregate without events. It must
	// return a fresh value on every call (new maps). Nil means S's zero
	// value.
	Initial func() S
	// Evolve applies one stored event to the state and returns the new
	// state. It must be pure: no I/O, no clock. It may update maps in s in
	// place: every load folds into a state of its own, never shared with the
	// cache or another caller. Unknown event types (events.Unknown) should be
	// ignored.
	Evolve func(s S, rec events.Record) S
	// StateVersion is the version of S's JSON encoding. Bump it whenever
	// S's JSON changes meaning; snapshots of any other version are ignored,
	// never decoded.
	StateVersion int
	// SnapshotEvery writes a snapshot to Postgres once a load has folded at
	// least this many events since the last one (the load that crosses the
	// mark writes it, before its caller decides). 0 disables snapshots for
	// this kind: they are neither read nor written.
	SnapshotEvery int
}

func (k *Kind[S]) initial() S {
	if k.Initial == nil {
		var zero S
		return zero
	}
	return k.Initial()
}

// Loaded is an aggregate's state as of its version.
type Loaded[S any] struct {
	State S
	// Version is the stream sequence of the aggregate's last event; 0 when
	// it has none. It is what a command expects when it appends.
	Version events.StreamSeq
	// Events is how many events have been folded into State.
	Events int
}
