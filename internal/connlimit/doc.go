// Package connlimit caps how many connections one client holds open at
// once on a listener, so that a single address (or IPv6 /64) cannot take
// every file descriptor and goroutine of a service by opening connections
// and sending nothing, or sending slowly.
//
// The client of a connection is known only once its first bytes are read
// when a PROXY protocol header names it (package proxyproto reads that
// header on the connection's own goroutine, never in Accept). So Wrap
// decides on the connection's first Read or Write, not in Accept: it takes
// the client from RemoteAddr (the header's source behind a PROXY listener,
// else the TCP peer), counts it by proxyproto.ClientPrefix, and either
// admits the connection or hands it to the refusal (an HTTP listener writes
// a 429 there) and fails its Read or Write with ErrTooManyConns. An admitted
// connection is counted until it is closed.
//
// Loopback clients are not counted: in production every client comes
// through the PROXY header, whose source the proxy fills in, and loopback
// peers are local tools, probes and tests.
//
// This package does not limit requests (package ratelimit does) and does
// not decide how a refusal is worded (the caller's Refuse does).
package connlimit
