package frame

import (
	"encoding/binary"
	"fmt"
)

// V1Type is the first byte of a v1 frame (contract §6.3).
type V1Type uint8

// The v1 frame types.
const (
	V1Connect V1Type = 0x01 // node → daemon: a new stream to dest_port
	V1Ready   V1Type = 0x02 // daemon → node: the local connect succeeded
	V1Data    V1Type = 0x03 // both: bytes of a stream
	V1Close   V1Type = 0x04 // both: the stream is closed
	V1Ping    V1Type = 0x05 // both: keepalive; answered by PONG
	V1Pong    V1Type = 0x06 // both: the answer to PING
)

// The sizes of v1 messages.
const (
	// V1HeaderLen is the header every v1 frame starts with: type:u8,
	// conn_id:u32.
	V1HeaderLen = 5
	// V1ConnectLen is the whole of a CONNECT: the header and dest_port:u16.
	V1ConnectLen = 7
	// V1MaxMessage is the longest v1 message this package accepts. v1 sets
	// no limit: the node reads clients in chunks of at most 16 KiB, and a
	// daemon's chunks are its own affair, so the limit leaves room for any
	// reasonable read buffer while bounding what one message can cost.
	V1MaxMessage = 1 << 20
)

// ConnID names a v1 stream: a per-tunnel u32 counter of the node's,
// starting at 0 and wrapping.
type ConnID uint32

var v1Names = [...]string{
	V1Connect: "CONNECT", V1Ready: "READY", V1Data: "DATA",
	V1Close: "CLOSE", V1Ping: "PING", V1Pong: "PONG",
}

// Known reports whether t is one of the six v1 types.
func (t V1Type) Known() bool { return t >= V1Connect && t <= V1Pong }

func (t V1Type) String() string {
	if t.Known() {
		return v1Names[t]
	}
	return fmt.Sprintf("v1type(0x%02x)", uint8(t))
}

// V1Frame is one decoded v1 message. DestPort is set only on CONNECT and
// Payload only on DATA; on a decoded frame Payload aliases the message.
// PING and PONG carry a conn id (0 by the contract; any value decodes).
type V1Frame struct {
	Type     V1Type
	Conn     ConnID
	DestPort uint16
	Payload  []byte
}

// DecodeV1 reads one v1 message by the rules of contract §6.3: a message
// shorter than the header or of an unknown type is ErrIgnored; a CONNECT
// shorter than 7 bytes is ErrMalformed. Stricter than the reference, so
// that every accepted message is canonical: a fixed-size frame with bytes
// after its end, and a message over V1MaxMessage, are ErrMalformed too
// (no daemon sends either).
func DecodeV1(msg []byte) (V1Frame, error) {
	if len(msg) < V1HeaderLen {
		return V1Frame{}, fmt.Errorf("v1 message of %d bytes, shorter than the %d-byte header: %w", len(msg), V1HeaderLen, ErrIgnored)
	}
	if len(msg) > V1MaxMessage {
		return V1Frame{}, fmt.Errorf("v1 message of %d bytes, over the limit of %d: %w", len(msg), V1MaxMessage, ErrMalformed)
	}
	f := V1Frame{Type: V1Type(msg[0]), Conn: ConnID(binary.BigEndian.Uint32(msg[1:V1HeaderLen]))}
	if !f.Type.Known() {
		return V1Frame{}, fmt.Errorf("v1 conn %d: %s: %w", f.Conn, f.Type, ErrIgnored)
	}
	body := msg[V1HeaderLen:]
	switch f.Type {
	case V1Connect:
		if len(body) != V1ConnectLen-V1HeaderLen {
			return V1Frame{}, v1Length(f, len(msg), V1ConnectLen)
		}
		f.DestPort = binary.BigEndian.Uint16(body)
	case V1Data:
		f.Payload = body
	default:
		if len(body) != 0 {
			return V1Frame{}, v1Length(f, len(msg), V1HeaderLen)
		}
	}
	return f, nil
}

func v1Length(f V1Frame, got, want int) error {
	return fmt.Errorf("v1 %s conn %d: %d bytes, want %d: %w", f.Type, f.Conn, got, want, ErrMalformed)
}

// AppendV1 appends the encoding of f to dst. It refuses (ErrInvalid) an
// unknown type, a field the type does not carry, and a DATA whose message
// would exceed V1MaxMessage.
func AppendV1(dst []byte, f V1Frame) ([]byte, error) {
	switch {
	case !f.Type.Known():
		return dst, fmt.Errorf("encode v1 conn %d: %s: %w", f.Conn, f.Type, ErrInvalid)
	case f.DestPort != 0 && f.Type != V1Connect:
		return dst, fmt.Errorf("encode v1 %s conn %d: a dest port: %w", f.Type, f.Conn, ErrInvalid)
	case len(f.Payload) != 0 && f.Type != V1Data:
		return dst, fmt.Errorf("encode v1 %s conn %d: a payload: %w", f.Type, f.Conn, ErrInvalid)
	case f.Type == V1Data:
		return AppendV1Data(dst, f.Conn, f.Payload)
	}
	dst = AppendV1Header(dst, f.Type, f.Conn)
	if f.Type == V1Connect {
		dst = binary.BigEndian.AppendUint16(dst, f.DestPort)
	}
	return dst, nil
}

// AppendV1Header appends a v1 header. With V1Data, the caller appends the
// payload (or reads it into the buffer) after it, keeping the whole
// message within V1MaxMessage.
func AppendV1Header(dst []byte, t V1Type, c ConnID) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(t)), uint32(c))
}

// AppendV1Data appends a DATA frame carrying payload. It refuses
// (ErrInvalid) a payload that would take the message over V1MaxMessage.
func AppendV1Data(dst []byte, c ConnID, payload []byte) ([]byte, error) {
	if len(payload) > V1MaxMessage-V1HeaderLen {
		return dst, fmt.Errorf("encode v1 DATA conn %d: %d-byte payload, over %d: %w", c, len(payload), V1MaxMessage-V1HeaderLen, ErrInvalid)
	}
	return append(AppendV1Header(dst, V1Data, c), payload...), nil
}
