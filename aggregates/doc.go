// Package aggregates is the runtime that Wardnet Cloud's aggregates run in:
// it loads an aggregate's state from the event log, runs a command's pure
// decision on it, and appends the resulting events with optimistic
// concurrency, deciding again when another writer got there first.
//
// An aggregate type is described by a Kind: its events.Ref type, its initial
// state and its pure Evolve function. The concrete aggregates (tenant,
// network, daemon, the slug and email reservations, …) live in subpackages
// aggregates/<name>/ that import only package events and the standard
// library, not this package: the service builds a Kind from their Evolve and
// passes their pure Decide functions to Execute.
//
// A Repository loads one Kind: from its in-memory cache or its Postgres
// snapshot, and then always from the log for every event after that point,
// so the state it returns is never older than the log it read.
//
// Execute runs a command: a function that loads any number of aggregates
// (of any kinds) with Get and emits events to any number of them with
// Tx.Emit. All the events go out as one atomic append in which every
// aggregate emitted to must still be at the version the command saw (or new,
// when it was not loaded). On a conflict Execute loads again, from the log,
// and decides again, a bounded number of times. That is how a command claims
// a reservation such as slug.<name> together with the events that need it.
//
// Idempotency. Every event id is "<command id>.<n>", and a command keeps its
// id across Execute's retries. A command retried with the same CommandID
// after it was stored (a client retrying after a lost reply) is not decided
// again, and Execute returns the earlier result with Result.Duplicate set,
// when one of the aggregates it loads with Get holds one of its events among
// that aggregate's last 32 commands. The runtime keeps that list beside the
// state, in the cache and in snapshots, so this holds however the aggregate
// was loaded. Every command run through Repository.Execute loads the
// aggregate it emits to, so for those the bound is simply "within 32 later
// commands on the aggregate".
//
// Otherwise the retry is decided again on the current state, like a new
// command. Package events may still stop it (for an unchecked emit,
// JetStream drops repeated event ids within its 2-minute duplicate window;
// an emit to an aggregate the command did not load fails its expect-new
// check, and the store's conflict scan recognises the earlier copy when
// that aggregate holds the command's first event), but it may also be
// stored a second time.
//
// This package does not define any aggregate, event or domain rule, does not
// own the event log (package events) and does not maintain read models
// (package projectors).
package aggregates
