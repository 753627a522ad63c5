// Package aggregatetest is the shared test scaffolding of the aggregate
// packages under aggregates/ (tenant, network, daemon, code, reservation,
// subscription, account). Only their _test.go files import it.
//
// It offers, generic over an aggregate's state type S:
//
//   - Fold and FoldAt: a history of payloads folded through Evolve, with
//     record sequences and (for FoldAt) record times, as a load folds them;
//   - RunDecide: a table runner for Decide (given events, a command, the
//     events or the error wanted, matched with errors.Is or ErrAny);
//   - CheckCatalog: every event of a catalogue through its codec, under its
//     ce-type and version, with the exact JSON wanted, and back unchanged;
//   - JSONRoundTrip: states through JSON as snapshots store them;
//   - Store, Repository, Race, Crowd and OneWins: commands run concurrently
//     through aggregates.Execute or Repository.Execute on a real in-process
//     NATS (package internal/testenv), with a barrier after their first load
//     so that they all decide on one version, reporting each one's result,
//     error and number of attempts;
//   - DaemonKey: a deterministic daemon public key per seed.
//
// It does not define aggregates, events or fixtures of any one aggregate
// (ids, payloads and commands stay in each package's tests), does not use
// Postgres (repositories have no snapshots), and is not for production
// code: it imports package testing and starts servers.
package aggregatetest
