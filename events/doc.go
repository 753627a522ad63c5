// Package events owns Wardnet Cloud's event log: the envelope every fact
// travels in, the catalogue of event types with their JSON codec and
// upcasters, and the Store that appends to and reads from the EVENTS stream
// on NATS JetStream.
//
// The log is the only source of truth. Each aggregate instance has one
// literal subject, wardnet.ev.<aggregate>.<id>, and its version is the stream
// sequence of its last event on that subject. Appends carry that version in
// Nats-Expected-Last-Subject-Sequence (optimistic concurrency). Event ids
// are derived from the command id, so a retried command is recognised and
// stored once: by the aggregate's events after the version it expected, or,
// for appends without a version check, by JetStream's duplicate window
// (Nats-Msg-Id). See docs/adr/0002 and 0004.
// Appends that touch several events or several aggregates go out as one
// JetStream atomic batch: all of them are stored, or none.
//
// The envelope is CloudEvents 1.0 in NATS headers (ce-id, ce-type, …) with
// the JSON payload as the message body, so any NATS tool can read the log.
// An event's time is the stream's timestamp.
//
// This package does not know about aggregates' rules, snapshots or read
// models: see packages aggregates and projectors.
package events
