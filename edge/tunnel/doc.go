// Package tunnel is one tunnel session over a daemon's WebSocket, at
// either end: the node, which opens a stream for every inbound connection
// and a flow for every UDP client, and the daemon, which accepts them
// (docs/api/tunnel-protocol.md; the daemon contract's §6).
//
// A Session speaks version 2. It multiplexes Streams, each a net.Conn
// with its own credit in each direction: a sender stops at the peer's
// window (256 KiB) and waits for WINDOW_UPDATE, and a receiver buffers at
// most that window, so the session's reader never waits for a slow
// consumer and one stalled client cannot stall the others. The writer
// sends control frames first and DATA round robin, one message per stream
// per turn, each DATA's header and payload built in one pooled buffer and
// sent as one message. Streams open without a round trip (OPEN, then the
// ClientHello at once), half-close (CLOSE) and abort (RESET); Flows carry
// UDP datagrams; PING is answered by PONG in both directions; GOAWAY asks
// the peer to move. A malformed message or a broken rule closes the
// WebSocket with 4005; limits (streams, pending opens, flows) are Options.
//
// V1Session is the node's end of version 1, the reference protocol of
// older daemons (contract §6.3): CONNECT, READY before data, CLOSE, no flow
// control, so each stream's queue is bounded and a peer that outruns it
// loses the stream.
//
// The transport is a MessageConn, one binary message per frame;
// NewWebSocketConn adapts a WebSocket. The package builds on edge/frame
// for the bytes of every frame and owns the sessions, their stream tables,
// flow control, keepalive and the limits per tunnel. It does not own the
// HTTP endpoint and the WebSocket upgrade (nor version negotiation, which
// is frame.Negotiate's), authentication, the SNI listeners, the routing of
// connections to tunnels, or what a daemon connects a stream to.
package tunnel
