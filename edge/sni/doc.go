// Package sni reads the start of an inbound TLS connection on the tunnel
// edge's SNI listeners and says where it goes, without terminating TLS
// (reference/wardnet-contract.md §6.1, docs/design.md §5).
//
// ReadClientHello consumes TLS records from a connection until it holds the
// whole ClientHello handshake message, however the client split it into
// records and however the network split those into segments, and never reads
// past a byte limit (DefaultLimit, 16 KiB) nor past the last record of the
// hello. It returns the exact bytes it read, to be replayed to the daemon
// unchanged ahead of the rest of the stream, and the facts routing needs: the
// server name, lowercased, and the ALPN protocols offered. The message is
// walked strictly; every refusal is one of the package's errors, and Reason
// names it for a metric label.
//
// A Zone (the region's tunnel parent, e.g. dyn.example.net) routes a server
// name <anything>.<slug>.<zone> or <slug>.<zone> to the network's slug.
//
// The package owns the parsing and the routing decision only. It never
// holds a key nor decrypts a byte. The listeners, their deadlines and
// connection limits, the PROXY protocol header that precedes the hello, the
// routing table from slug to tunnel, and the forwarding of the replayed bytes
// live elsewhere in edge/ and in services/tunneller.
package sni
