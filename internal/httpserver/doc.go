// Package httpserver builds every HTTP server a Wardnet Cloud service runs
// (the public APIs, the ops listener, the tunnel API) with the same
// deliberate limits, so that no server is left with net/http's defaults,
// which let a client hold a connection for as long as it likes once its
// headers are in.
//
// Limits says how long a client may take to send its headers and its
// body, how long the server keeps writing its answer and keeps an idle
// keep-alive connection, how large the headers may be, and how many
// connections one client (an IPv4 address, an IPv6 /64; package connlimit)
// may hold at once. Each value has a WARDNET_HTTP_* variable, and
// docs/operations.md gives the reasoning behind each default.
//
// New returns the server and Listen wraps its listener; LongLived marks
// the handlers (long polls, streams) that bound themselves instead of
// answering within the server's read and write timeouts. WebSocket
// upgrades are exempt by themselves: net/http clears the deadlines of a
// hijacked connection, and the WebSocket layer keeps its own.
//
// This package does not route, authenticate or shape answers (package
// endpoint does); it does not know PROXY protocol beyond asking
// proxyproto for the client of a connection.
package httpserver
