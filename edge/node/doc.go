// Package node is one tunnel edge node's data plane: the tunnels it holds,
// one per network, and the SNI listeners that route every inbound TLS
// connection to one of them (docs/design.md §5, tunneller; the daemon
// contract's §6.1, §6.2, §6.4 and §6.5).
//
// A Node holds tunnels. Hold registers a daemon's tunnel session for its
// network once the routing table admits it and presence records that this
// node holds it. A newer tunnel for the same network displaces the older
// one here (closed with 4000), and a claim of the network by another node
// does the same through presence's watch. The node follows the routing
// table's lapses: when a network is deprovisioned or its tenant loses its
// entitlement, the event that says so closes the tunnel (4001, 4002) as
// soon as the table applies it, with no polling. When the session ends the
// node forgets it and releases the presence claim, unless a newer tunnel
// of the network took its place. Drain asks v2 daemons to move (GOAWAY,
// draining), refuses new tunnels, and after a grace closes what is left
// with 4003. Tunnel is the little the node needs of a session; V2 and V1
// adapt edge/tunnel's two versions to it.
//
// Serve runs an SNI listener: per connection it reads the whole ClientHello
// under a deadline (edge/sni), routes its server name to a network's slug
// under the zone, checks the routing table, and opens a stream on the
// network's tunnel with the destination port, the client's address (from
// the PROXY header, internal/proxyproto) and the hello's bytes, then copies
// both ways with half-closes and an idle timeout. A network whose tunnel
// another node holds goes to the Forwarder; without one, or without a
// holder, the connection is closed (fail closed). Every refusal is counted
// by reason, as are bytes per tunnel; Stats is the snapshot and the same
// counters are exported to Prometheus when a Registerer is given.
//
// The UDP relay (udp.go; contract §6.6): with Config.UDPPorts, each
// network whose v2 tunnel the node holds gets its stable port from the
// region's pool, and the node listens on it; every client address becomes
// one flow on the tunnel (no READY), at most Config.MaxUDPFlows at once
// (more are dropped and counted), forgotten after Config.UDPIdleTimeout;
// the daemon's answers go back to the address of their flow. The socket
// closes when the network's last tunnel here ends (a newer tunnel takes it
// over); the port stays the network's. v1 tunnels relay no UDP.
//
// The package never terminates TLS nor holds a key. It does not own the
// WebSocket endpoint, its authentication or version negotiation (the
// service wires those and calls Hold with the session it ran), the frame
// protocol and sessions (edge/tunnel), the routing table (edge/route),
// the presence bucket (edge/presence), the forwarding between nodes over
// mTLS (a Forwarder, implemented elsewhere), nor the listeners' sockets and
// PROXY wrapping (the caller passes a listener wrapped by proxyproto).
package node
