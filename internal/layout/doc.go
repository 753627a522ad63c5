// Package layout keeps the rules of the repository's layout as tests, so
// that they hold by a failing build rather than by memory: which packages
// may import which (the arrows of the house point one way: adapters and
// wiring toward the application, the application toward the domain), and
// that every package says in its doc comment what it owns.
//
// The rules, each a test in this package:
//
//   - a domain package (under aggregates/, but not the aggregate runtime
//     aggregates itself nor its test kit aggregatetest) imports only the
//     standard library, events and other domain packages;
//   - the application layer (commands/) imports no adapter (gateways/) and
//     no wiring (services/): what it needs from the outside world is an
//     interface it declares, which an outbound adapter implements;
//   - an adapter (gateways/inbound/X, gateways/outbound/X) imports no other
//     adapter;
//   - projections (projectors/) import no adapter;
//   - the tunnel data plane (edge/) imports no adapter;
//   - the shared concerns (internal/) import nothing of the domain, the
//     application, the adapters or the wiring (only events and schema);
//   - nothing imports a binary (cmd/), and only binaries import the wiring
//     (services/);
//   - every package has a doc comment that begins "Package <name>" (or
//     "Command <name>" for a binary).
//
// Test files are not held to the import rules: a test may assemble a whole
// service to drive an adapter through it.
package layout
