// Package forward carries a client's connection from the tunnel edge node
// it reached to the node of the same region that holds its network's
// tunnel, over mutual TLS (docs/design.md §6; the daemon contract's §3.7
// and §6.4).
//
// Identity. Every node has a leaf certificate whose one URI SAN is a
// SPIFFE id spiffe://<trust domain>/<env>/<scope>/<service> (contract
// §3.7; the scope is the region), a key, and the region's trust bundle,
// all read from files by Certs, which learns its own id from its leaf and
// reloads the three files when their contents change (Run polls them;
// new handshakes use the new material, a failed reload keeps the old).
// Both ends run TLS 1.3 only and check the peer the same way: a chain to
// the current bundle, then a tunneller id of the node's own region; host
// names are not checked. Anything else fails the handshake and is counted
// by reason (PeerError: no_certificate, untrusted, no_spiffe_id,
// other_service, other_region).
//
// The wire. The Dialer, a node.Forwarder, finds the holder's address
// (Peers: HostPeers takes a presence node id for host[:port]), dials it,
// and writes a versioned binary Preamble: the slug, the network id, the
// destination port, the client's address and the ClientHello the first
// node read (see the format in preamble.go; it extends §6.4's
// [slug_len][slug][dest_port]). The Acceptor reads it under a deadline
// and within fixed bounds, answers one status byte (accepted, malformed,
// unsupported version), and hands the connection to its Deliverer, the
// local node, which opens the stream on the tunnel with the same port,
// client and first bytes a local client would have given. From then on
// the bytes flow both ways, with half-closes. The status byte lets the
// Dialer tell a refused forward (its certificate or preamble refused: in
// TLS 1.3 the client learns that only on its first read) from one under
// way, so that the first node counts it as failed.
//
// The package does not decide which node holds a network (edge/presence),
// route, open streams or count a tenant's streams (edge/node, behind
// Deliverer), own the listener's socket (the caller passes a TCP
// listener; Serve runs the TLS), or mint certificates.
package forward
