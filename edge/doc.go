// Package edge is the tunnel data plane: how inbound TLS to
// <anything>.<slug>.<zone> (and DNS-over-TLS, and WireGuard over UDP)
// reaches a daemon behind NAT through the one outbound WebSocket it holds,
// without the edge ever seeing plaintext (docs/design.md §5, tunneller;
// the daemon contract's §1.7 and §6).
//
// Its subpackages will be the parts of that path, each with one job: the
// SNI listeners that read a whole ClientHello and route by its name, the
// tunnel protocol spoken over the daemon's WebSocket (frames, streams, flow
// control), the routing table built from the log's events, and the
// forwarding between nodes of a region.
//
// It knows nothing of HTTP APIs, Postgres or Cloudflare: it imports no
// adapter (gateways/), and services/tunneller wires it to the log, the
// listeners and the WebSocket endpoint.
package edge
