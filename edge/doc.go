// Package edge is the tunnel data plane: how inbound TLS to
// <anything>.<slug>.<zone> (and DNS-over-TLS, and WireGuard over UDP)
// reaches a daemon behind NAT through the one outbound WebSocket it holds,
// without the edge ever seeing plaintext (docs/design.md §5, tunneller;
// the daemon contract's §1.7 and §6).
//
// Its subpackages are the parts of that path, each with one job:
//
//   - sni reads a whole ClientHello, bounded, and routes its name to a slug;
//   - frame is the tunnel's wire format, v1 and v2 (docs/api/tunnel-protocol.md);
//   - tunnel is a session over the daemon's WebSocket: streams, flow
//     control, datagram flows, keepalive, GOAWAY;
//   - route is the node's routing table, built in memory from its region's
//     events;
//   - presence records which node holds which network's tunnel, in
//     JetStream KV with per-key TTL;
//   - node is one edge node: the tunnels it holds and its SNI listeners;
//   - forward carries a connection to the node of the region that holds
//     the tunnel, over mutual TLS.
//
// It knows nothing of HTTP APIs, Postgres or Cloudflare: it imports no
// adapter (gateways/), and services/tunneller wires it to the log, the
// listeners and the WebSocket endpoint.
package edge
