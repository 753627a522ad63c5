package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// The bodies of the v2 types, after the header. Every decoder takes the
// whole rest of the message and refuses a byte too many or too few.

// decodeBody reads the body of a frame of a known type into f. A switch
// rather than a function in v2Spec: through a function value f would
// escape, and decoding DATA would allocate.
func decodeBody(f *V2Frame, body []byte) error {
	switch f.Type {
	case V2Open, V2FlowOpen:
		return decodeOpen(f, body)
	case V2Data, V2Datagram:
		return decodePayload(f, body)
	case V2Ping, V2Pong:
		return decodeOpaque(f, body)
	case V2OpenRefused:
		return decodeRefused(f, body)
	case V2WindowUpdate:
		return decodeWindowUpdate(f, body)
	case V2Reset:
		return decodeReset(f, body)
	case V2GoAway:
		return decodeGoAway(f, body)
	}
	return bodyLen(body, 0) // OPEN_OK, CLOSE
}

func bodyLen(body []byte, want int) error {
	if len(body) != want {
		return fmt.Errorf("a %d-byte body, want %d", len(body), want)
	}
	return nil
}

func encodeEmpty(dst []byte, _ V2Frame) ([]byte, error) { return dst, nil }

func decodePayload(f *V2Frame, body []byte) error {
	f.Payload = body // within MaxPayload: DecodeV2 checked the message's length
	return nil
}

func encodePayload(dst []byte, f V2Frame) ([]byte, error) {
	if len(f.Payload) > MaxPayload {
		return dst, fmt.Errorf("%d-byte payload, over %d", len(f.Payload), MaxPayload)
	}
	return append(dst, f.Payload...), nil
}

// OPEN and FLOW_OPEN: dest_port:u16, then the client address.
func decodeOpen(f *V2Frame, body []byte) error {
	if len(body) < 3 {
		return fmt.Errorf("a %d-byte body, want at least 3", len(body))
	}
	f.DestPort = binary.BigEndian.Uint16(body)
	c, err := decodeClient(body[2:])
	f.Client = c
	return err
}

func encodeOpen(dst []byte, f V2Frame) ([]byte, error) {
	return appendClient(binary.BigEndian.AppendUint16(dst, f.DestPort), f.Client)
}

// The client address: family:u8, then for IPv4 addr:4 port:u16, for IPv6
// addr:16 port:u16, and nothing when the address is unknown.
const (
	familyNone = 0x00
	familyIPv4 = 0x04
	familyIPv6 = 0x06
)

var (
	errZone     = errors.New("a client address with a zone")
	errPortOnly = errors.New("a client port without an address")
)

func decodeClient(b []byte) (netip.AddrPort, error) {
	family, rest := b[0], b[1:]
	switch family {
	case familyNone:
		return netip.AddrPort{}, bodyLen(rest, 0)
	case familyIPv4:
		if err := bodyLen(rest, 4+2); err != nil {
			return netip.AddrPort{}, fmt.Errorf("IPv4 client: %w", err)
		}
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(rest)), binary.BigEndian.Uint16(rest[4:])), nil
	case familyIPv6:
		if err := bodyLen(rest, 16+2); err != nil {
			return netip.AddrPort{}, fmt.Errorf("IPv6 client: %w", err)
		}
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(rest)), binary.BigEndian.Uint16(rest[16:])), nil
	}
	return netip.AddrPort{}, fmt.Errorf("client address family 0x%02x", family)
}

func appendClient(dst []byte, c netip.AddrPort) ([]byte, error) {
	a := c.Addr()
	switch {
	case !a.IsValid() && c.Port() != 0:
		return dst, errPortOnly
	case !a.IsValid():
		return append(dst, familyNone), nil
	case a.Zone() != "":
		return dst, errZone
	case a.Is4():
		b := a.As4()
		dst = append(append(dst, familyIPv4), b[:]...)
	default: // IPv6, an IPv4-mapped one included: it decodes as it was
		b := a.As16()
		dst = append(append(dst, familyIPv6), b[:]...)
	}
	return binary.BigEndian.AppendUint16(dst, c.Port()), nil
}

// OPEN_REFUSED: reason:u16.
func decodeRefused(f *V2Frame, body []byte) error {
	if err := bodyLen(body, 2); err != nil {
		return err
	}
	f.Refuse = RefuseReason(binary.BigEndian.Uint16(body))
	return nil
}

func encodeRefused(dst []byte, f V2Frame) ([]byte, error) {
	return binary.BigEndian.AppendUint16(dst, uint16(f.Refuse)), nil
}

// RESET: code:u16.
func decodeReset(f *V2Frame, body []byte) error {
	if err := bodyLen(body, 2); err != nil {
		return err
	}
	f.Reset = ResetCode(binary.BigEndian.Uint16(body))
	return nil
}

func encodeReset(dst []byte, f V2Frame) ([]byte, error) {
	return binary.BigEndian.AppendUint16(dst, uint16(f.Reset)), nil
}

// WINDOW_UPDATE: increment:u32, 1..MaxWindow.
func decodeWindowUpdate(f *V2Frame, body []byte) error {
	if err := bodyLen(body, 4); err != nil {
		return err
	}
	f.Increment = binary.BigEndian.Uint32(body)
	return checkIncrement(f.Increment)
}

func encodeWindowUpdate(dst []byte, f V2Frame) ([]byte, error) {
	if err := checkIncrement(f.Increment); err != nil {
		return dst, err
	}
	return binary.BigEndian.AppendUint32(dst, f.Increment), nil
}

func checkIncrement(n uint32) error {
	if n == 0 || n > MaxWindow {
		return fmt.Errorf("window increment %d, want 1..%d", n, MaxWindow)
	}
	return nil
}

// PING and PONG: opaque:8.
func decodeOpaque(f *V2Frame, body []byte) error {
	if err := bodyLen(body, 8); err != nil {
		return err
	}
	f.Opaque = [8]byte(body)
	return nil
}

func encodeOpaque(dst []byte, f V2Frame) ([]byte, error) { return append(dst, f.Opaque[:]...), nil }

// GOAWAY: reason:u16, last_stream:u32, then the hint to the end of the
// message (0..MaxHintLen bytes of printable ASCII).
const goAwayFixed = 2 + 4

func decodeGoAway(f *V2Frame, body []byte) error {
	if len(body) < goAwayFixed {
		return fmt.Errorf("a %d-byte body, want at least %d", len(body), goAwayFixed)
	}
	hint := body[goAwayFixed:]
	if err := checkHint(hint); err != nil {
		return err
	}
	f.GoAway = GoAwayReason(binary.BigEndian.Uint16(body))
	f.LastStream = StreamID(binary.BigEndian.Uint32(body[2:]))
	f.Hint = string(hint)
	return nil
}

func encodeGoAway(dst []byte, f V2Frame) ([]byte, error) {
	if err := checkHint(f.Hint); err != nil {
		return dst, err
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(f.GoAway))
	dst = binary.BigEndian.AppendUint32(dst, uint32(f.LastStream))
	return append(dst, f.Hint...), nil
}

func checkHint[T string | []byte](h T) error {
	if len(h) > MaxHintLen {
		return fmt.Errorf("a %d-byte hint, over %d", len(h), MaxHintLen)
	}
	for i := range len(h) {
		if c := h[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("hint byte %d is 0x%02x, not printable ASCII", i, c)
		}
	}
	return nil
}
