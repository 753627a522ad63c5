// Package frame is the wire format of the daemon tunnel: the bytes of each
// binary WebSocket message a tunnel node and a daemon exchange, in both
// versions of the protocol, as pure encoding and decoding
// (docs/api/tunnel-protocol.md is the specification; the daemon contract's
// §6.3 is version 1).
//
// Version 1 is the reference implementation's protocol, spoken by every
// daemon that offers no WebSocket subprotocol: a 5-byte header (type, conn
// id) and six frame types, no flow control. DecodeV1 keeps its tolerance
// rules (short frames and unknown types are ignored, reported as
// ErrIgnored) so an old daemon keeps working.
//
// Version 2 (subprotocol "wardnet-tunnel.v2") multiplexes streams with
// per-stream credit (WINDOW_UPDATE over an InitialWindow), opens streams
// with the client's address so the daemon's local service can be given a
// PROXY header, half-closes (CLOSE) and aborts (RESET) streams, carries
// UDP datagrams on flows, and can ask the daemon to move to another node
// (GOAWAY). Every v2 frame is one WebSocket message with a 5-byte header;
// a DATA frame's header and payload go out as one message
// (AppendV2Header, then read the payload straight after it).
//
// The package owns the numbering of frame types, reason and close codes,
// the subprotocol names and version negotiation, and the limits of a
// message (MaxMessage, MaxPayload, V1MaxMessage). Encoders append to a
// caller's buffer and allocate nothing of their own when they succeed;
// decoders never panic, never copy a payload (it aliases the message, so
// DATA decodes without allocating) and accept only the canonical
// encoding, so what decodes re-encodes to the same bytes.
//
// It does not do I/O, hold state or start goroutines: the WebSocket, the
// sessions and their stream tables, flow-control accounting, keepalive
// timers, limits per tunnel and what to do with a frame in a given state
// belong to the session package that uses it.
package frame
