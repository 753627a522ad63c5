package frame

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// V2Type is the first byte of a v2 frame. Types 0x80 and above are
// extensions: a receiver that does not know one ignores it (ErrIgnored).
// An unknown type below 0x80 is mandatory and ends the tunnel
// (ErrMalformed): ignoring it could leave the peers disagreeing about a
// stream's state or its credit.
type V2Type uint8

// The v2 frame types. The numbers of the types v1 also has are v1's.
const (
	V2Open         V2Type = 0x01 // open a stream: dest port and client address
	V2OpenOK       V2Type = 0x02 // the stream's local connection is up
	V2Data         V2Type = 0x03 // bytes of a stream, within its window
	V2Close        V2Type = 0x04 // FIN: the sender sends no more on the stream (a flow: ends it)
	V2Ping         V2Type = 0x05 // connection: echo these 8 bytes
	V2Pong         V2Type = 0x06 // connection: the echo
	V2OpenRefused  V2Type = 0x07 // the stream or flow is refused, with a reason
	V2WindowUpdate V2Type = 0x08 // more credit for the stream's sender
	V2Reset        V2Type = 0x09 // abort the stream in both directions, with a code
	V2GoAway       V2Type = 0x0a // connection: the sender wants the tunnel to end
	V2FlowOpen     V2Type = 0x0b // open a UDP flow: dest port and client address
	V2Datagram     V2Type = 0x0c // one UDP datagram of a flow
)

// V2ExtensionBit marks the extension types (0x80–0xff), which a receiver
// ignores when it does not know them.
const V2ExtensionBit V2Type = 0x80

// The sizes and limits of v2.
const (
	// HeaderLen is the header every v2 frame starts with: type:u8,
	// stream:u32.
	HeaderLen = 5
	// MaxMessage is the longest v2 message: the node and the daemon set
	// their WebSocket read limit to it.
	MaxMessage = 64 << 10
	// MaxPayload is the most a DATA or DATAGRAM carries: large enough for
	// any UDP datagram over IPv4 (65 507 bytes) or IPv6 (65 527).
	MaxPayload = MaxMessage - HeaderLen
	// InitialWindow is each stream's credit in each direction when it
	// opens: the bytes of DATA payload its sender may send before the
	// first WINDOW_UPDATE.
	InitialWindow = 256 << 10
	// MaxWindow is the most credit a stream may hold; a WINDOW_UPDATE that
	// would take it over is a flow-control error.
	MaxWindow = 1<<31 - 1
	// MaxHintLen is the longest GOAWAY hint.
	MaxHintLen = 255
)

// StreamID names a v2 stream or flow within a tunnel. 0 is the
// connection itself. The node opens odd ids (1, 3, 5, …), the daemon even
// ones (2, 4, …; reserved: today's daemons open none); each side's ids
// only increase and are never reused in a tunnel.
type StreamID uint32

// OpenedByNode reports whether the node opens id (it is odd).
func (id StreamID) OpenedByNode() bool { return id%2 == 1 }

// V2Frame is one decoded v2 message. Which fields a type carries:
//
//	OPEN, FLOW_OPEN  Stream, DestPort, Client (zero when unknown)
//	OPEN_OK, CLOSE   Stream
//	OPEN_REFUSED     Stream, Refuse
//	DATA, DATAGRAM   Stream, Payload (aliases the message once decoded)
//	WINDOW_UPDATE    Stream, Increment (1..MaxWindow)
//	RESET            Stream, Reset
//	PING, PONG       Opaque (Stream 0)
//	GOAWAY           GoAway, LastStream, Hint (Stream 0)
type V2Frame struct {
	Type       V2Type
	Stream     StreamID
	DestPort   uint16
	Client     netip.AddrPort
	Refuse     RefuseReason
	Reset      ResetCode
	Increment  uint32
	Opaque     [8]byte
	GoAway     GoAwayReason
	LastStream StreamID
	Hint       string
	Payload    []byte
}

// Known reports whether t is a type this package speaks.
func (t V2Type) Known() bool { return int(t) < len(v2Specs) && v2Specs[t].name != "" }

// Extension reports whether t is in the extension range (0x80–0xff).
func (t V2Type) Extension() bool { return t&V2ExtensionBit != 0 }

func (t V2Type) String() string {
	if t.Known() {
		return v2Specs[t].name
	}
	return fmt.Sprintf("v2type(0x%02x)", uint8(t))
}

// DecodeV2 reads one v2 message. A message of an unknown extension type
// is ErrIgnored; anything that is not the canonical encoding of a known
// type (truncated, oversized, trailing bytes, a stream id the type forbids,
// a field out of range) and an unknown mandatory type are ErrMalformed.
// Payload aliases msg: it is valid as long as msg is.
func DecodeV2(msg []byte) (V2Frame, error) {
	switch {
	case len(msg) < HeaderLen:
		return V2Frame{}, fmt.Errorf("v2 message of %d bytes, shorter than the %d-byte header: %w", len(msg), HeaderLen, ErrMalformed)
	case len(msg) > MaxMessage:
		return V2Frame{}, fmt.Errorf("v2 message of %d bytes, over the limit of %d: %w", len(msg), MaxMessage, ErrMalformed)
	}
	f := V2Frame{Type: V2Type(msg[0]), Stream: StreamID(binary.BigEndian.Uint32(msg[1:HeaderLen]))}
	if !f.Type.Known() {
		if f.Type.Extension() {
			return V2Frame{}, fmt.Errorf("v2 stream %d: %s: %w", f.Stream, f.Type, ErrIgnored)
		}
		return V2Frame{}, fmt.Errorf("v2 stream %d: unknown mandatory %s: %w", f.Stream, f.Type, ErrMalformed)
	}
	spec := &v2Specs[f.Type]
	if err := spec.checkStream(f.Stream); err != nil {
		return V2Frame{}, fmt.Errorf("v2 %s: %w: %w", f.Type, err, ErrMalformed)
	}
	if err := decodeBody(&f, msg[HeaderLen:]); err != nil {
		return V2Frame{}, fmt.Errorf("v2 %s stream %d, %d bytes: %w: %w", f.Type, f.Stream, len(msg), err, ErrMalformed)
	}
	return f, nil
}

// AppendV2 appends the encoding of f to dst. It refuses (ErrInvalid) an
// unknown type, a stream id the type forbids, a field the type does not
// carry, and a field out of range, so that what it writes decodes to f.
func AppendV2(dst []byte, f V2Frame) ([]byte, error) {
	if !f.Type.Known() {
		return dst, fmt.Errorf("encode v2 stream %d: %s: %w", f.Stream, f.Type, ErrInvalid)
	}
	spec := &v2Specs[f.Type]
	if err := spec.checkStream(f.Stream); err != nil {
		return dst, fmt.Errorf("encode v2 %s: %w: %w", f.Type, err, ErrInvalid)
	}
	if extra := f.carried() &^ spec.fields; extra != 0 {
		return dst, fmt.Errorf("encode v2 %s stream %d: it carries no %s: %w", f.Type, f.Stream, extra, ErrInvalid)
	}
	out, err := spec.encode(AppendV2Header(dst, f.Type, f.Stream), f)
	if err != nil {
		return dst, fmt.Errorf("encode v2 %s stream %d: %w: %w", f.Type, f.Stream, err, ErrInvalid)
	}
	return out, nil
}

// AppendV2Header appends a v2 header. It is how a sender writes DATA
// without copying: append the header to a buffer of capacity MaxMessage,
// read at most MaxPayload bytes from the client straight after it, and
// send the buffer as one WebSocket message. The caller keeps the frame
// valid (a nonzero stream for DATA, the message within MaxMessage).
func AppendV2Header(dst []byte, t V2Type, id StreamID) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(t)), uint32(id))
}

// AppendV2Data appends a DATA frame. It refuses (ErrInvalid) stream 0 and
// a payload over MaxPayload.
func AppendV2Data(dst []byte, id StreamID, payload []byte) ([]byte, error) {
	return appendV2Payload(dst, V2Data, id, payload)
}

// AppendV2Datagram appends a DATAGRAM frame. It refuses (ErrInvalid) flow
// 0 and a payload over MaxPayload.
func AppendV2Datagram(dst []byte, flow StreamID, payload []byte) ([]byte, error) {
	return appendV2Payload(dst, V2Datagram, flow, payload)
}

func appendV2Payload(dst []byte, t V2Type, id StreamID, payload []byte) ([]byte, error) {
	switch {
	case id == 0:
		return dst, fmt.Errorf("encode v2 %s: stream 0: %w", t, ErrInvalid)
	case len(payload) > MaxPayload:
		return dst, fmt.Errorf("encode v2 %s stream %d: %d-byte payload, over %d: %w", t, id, len(payload), MaxPayload, ErrInvalid)
	}
	return append(AppendV2Header(dst, t, id), payload...), nil
}
