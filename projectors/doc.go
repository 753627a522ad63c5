// Package projectors owns the projector runtime: it feeds the events of the
// EVENTS stream to read-model projections in Postgres, exactly once and in
// order, keeps one instance of each projector active with the others on
// standby, rebuilds a projection beside its live version and switches it in,
// and reports checkpoints and lag. The projections themselves live in
// subpackages (audit, …); this package knows nothing of their tables.
//
// # Exactly once
//
// A projector reads a durable pull consumer on EVENTS filtered by the
// projection's subjects. For each batch it opens one Postgres transaction,
// locks the projection's row in the projections table (FOR NO KEY UPDATE),
// drops every event at or below the checkpoint stored there, applies the
// rest, writes the new checkpoint and commits; only then does it acknowledge
// the messages. A crash between commit and ack leads to a redelivery that the
// checkpoint filters out. Because every writer of a projection (the active
// instance, an old instance that lost its pin but is still finishing a batch,
// a rebuild's switch) takes the same row lock first, their transactions
// serialise and the skip rule stays exact even when two of them overlap.
//
// The skip rule is only correct if events arrive in stream order, and a
// consumer that has redelivery does not promise that: messages delivered to an
// instance that died come back after AckWait, possibly behind newer ones
// already handed to its successor. So an instance trusts its delivery only
// while the consumer's delivery sequence (which counts every delivery, to any
// client) is contiguous in what it receives since it last reset the consumer
// to its ack floor. The first message after subscribing, after a takeover or
// after a lost message breaks that, and the instance then stops its
// subscription, resets the consumer to ack floor + 1 (JetStream 2.14's
// consumer reset, which forgets everything pending), and subscribes again.
// The ack floor is never above the checkpoint because acks follow commits, so
// a reset can cause redelivery of committed events (which are skipped) but
// never a gap. Acks are explicit, one per message: an AckAll from an
// instance that lost the pin would carry a delivery sequence from before the
// reset and stall the new instance's acks.
//
// # One active instance
//
// The consumer has a priority group with the pinned-client policy: the
// server delivers to one client only, and hands the pin to a waiting standby
// when the pinned client has not pulled for PinnedTTL. A projector stopped
// through its context, or halted, resets the consumer and unpins itself, so
// a standby takes over at once and gets what the stopped one held. After a
// crash the standby waits PinnedTTL for the pin, and for what the dead
// instance held either a new event (whose delivery makes it reset) or
// AckWait (redelivery), whichever comes first.
//
// # Postgres is the truth
//
// On start a projector creates its row and schema if missing, and compares
// the consumer with the checkpoint. If the consumer's ack floor is past an
// event the read model does not have (Postgres restored from a backup, a
// projection dropped by hand), it rewinds the consumer to checkpoint + 1. A
// consumer behind the checkpoint is left alone: what it redelivers is skipped.
//
// # Schemas and rebuilds
//
// Each projection's tables live in the Postgres schema proj_<name>; the
// runtime runs Setup and Apply with search_path set to it, so projection SQL
// names its tables without a schema, and readers query proj_<name>.<table>.
// A rebuild (Rebuild, or RequestRebuild for operators, picked up by a running
// instance) builds proj_<name>__next from sequence 0 with an ordered consumer
// while the live version keeps serving and applying. When it has caught up it
// takes the projection's row lock, applies what the live version applied in
// the meantime, renames the live schema away and the new one into its place,
// and carries the checkpoint over, all in one transaction.
//
// # Events it cannot apply
//
// An event whose envelope cannot be parsed, whose schema version is newer than
// this build (events.ErrFutureVersion), or that a projection rejects
// deterministically (a Postgres data or constraint error, or an error wrapping
// ErrPoison) is never skipped, since skipping would silently lose data. The
// projector commits everything before it, records the stop in the projections
// table, sets the halted metric, fails its readiness check and returns a
// *HaltError from Run (Serve, which services use, keeps waiting instead, so
// the rest of the service stays up and the halt does not become a crash
// loop). A newer build resumes at that event. Other errors (Postgres or NATS
// unavailable) are retried with backoff.
//
// Lag, the number of events the projection has not yet applied, is a metric,
// part of the readiness check and of Status.
//
// The runtime needs nats-server 2.14 or newer (pinned priority groups came
// in 2.11, consumer reset in 2.14).
package projectors
