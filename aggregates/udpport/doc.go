// Package udpport is the aggregate of a region's pool of public UDP ports
// (wardnet.ev.udpport.<region>): which network holds which port of the
// region's tunnel edge, for the UDP relay of WireGuard (the issue's UDP
// relay; the daemon contract's §6.6, docs/api/tunnel-protocol.md §3.5).
//
// One aggregate per region holds every allocation of that region's pool,
// so that two nodes never hand out the same port: an allocation is
// appended expecting the pool's version its decision saw, and of two
// concurrent allocations one conflicts, decides again on the other's
// allocation and takes the next free port.
//
// Allocate gives a network the lowest free port of the pool's Range, or
// nothing new when it holds one already: a network keeps its port for as
// long as it lives (stable across reconnects and nodes), so the WireGuard
// endpoint its peers know stays valid. A port outside the Range (after the
// range was narrowed) is given up for one inside it. A full pool is
// ErrExhausted. Release frees a network's port; the tunneller's process
// manager releases it when the network is deprovisioned.
//
// The range is configuration, not state: each command is given it. The
// package is pure: events, State, Evolve and one Decide per command. It
// knows nothing of networks beyond their ids, nor of sockets or nodes.
package udpport
