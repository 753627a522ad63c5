// Package proxyproto owns the public listener of a service that sits behind
// an L4 proxy, and the client address that follows from it.
//
// In production nginx or HAProxy terminates TLS and prepends a PROXY
// protocol header (v1 text or v2 binary) to every connection it opens to the
// service. The service trusts that header, and only that header, for the
// client's address, so it requires one: in [Required] mode a connection that
// does not begin with a complete header naming a TCP client over IPv4 or
// IPv6 within the header timeout is closed before a byte of it reaches HTTP.
// That includes `PROXY UNKNOWN` and v2 LOCAL (a proxy's own health check):
// neither names a client, so both are refused (fail closed). In development
// nothing is in front of the service and [Off] mode passes connections
// through untouched.
//
// [ClientIP] gives a handler the client's address: the PROXY header's source,
// or, on a connection without one, the TCP peer; `X-Forwarded-For` (its
// left-most entry) is honoured only when that TCP peer is loopback, which
// happens only in development and tests. The http.Server must install
// [ConnContext] so that ClientIP can tell a header's address from a peer's.
//
// Parsing is github.com/pires/go-proxyproto's. This package frames the
// header itself first (exactly the header's bytes, never more, tolerating a
// header split across TCP segments within the timeout) so that the bytes
// after it reach the application unchanged, and adds the fail-closed policy.
//
// It does not decide what a client address is used for (rate limits, audit)
// and does not speak PROXY protocol outwards.
package proxyproto
