package frame

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// normalV2 makes an empty payload nil, so frames compare by content.
func normalV2(f V2Frame) V2Frame {
	if len(f.Payload) == 0 {
		f.Payload = nil
	}
	return f
}

type v2Case = struct {
	name string
	f    V2Frame
}

func TestV2RoundTrip(t *testing.T) {
	t.Parallel()
	cases := append([]v2Case{
		{"largest data", V2Frame{Type: V2Data, Stream: 0xffffffff, Payload: bytes.Repeat([]byte{0x5a}, MaxPayload)}},
		{"largest datagram", V2Frame{Type: V2Datagram, Stream: 2, Payload: make([]byte, MaxPayload)}},
		{"IPv4-mapped client", V2Frame{Type: V2Open, Stream: 1, DestPort: 443, Client: netip.MustParseAddrPort("[::ffff:192.0.2.1]:1")}},
		{"any-address client", V2Frame{Type: V2FlowOpen, Stream: 1, Client: netip.MustParseAddrPort("0.0.0.0:0")}},
		{"largest window update", V2Frame{Type: V2WindowUpdate, Stream: 1, Increment: MaxWindow}},
		{"unknown reset code", V2Frame{Type: V2Reset, Stream: 1, Reset: 0xffff}},
		{"unknown refusal", V2Frame{Type: V2OpenRefused, Stream: 1, Refuse: 999}},
		{"longest hint", V2Frame{Type: V2GoAway, GoAway: GoAwayRebalance, LastStream: 0xffffffff, Hint: strings.Repeat("~", MaxHintLen)}},
		{"zero ping", V2Frame{Type: V2Ping}},
	}, v2Vectors...)
	for _, tc := range cases {
		b, err := AppendV2(nil, tc.f)
		if err != nil {
			t.Fatalf("%s: encode: %v", tc.name, err)
		}
		got, err := DecodeV2(b)
		if err != nil {
			t.Fatalf("%s: decode %x: %v", tc.name, b, err)
		}
		if !reflect.DeepEqual(normalV2(got), normalV2(tc.f)) {
			t.Errorf("%s: decoded %+v, want %+v", tc.name, got, tc.f)
		}
	}
}

func v2Msg(t V2Type, id StreamID, rest ...byte) []byte {
	return append(AppendV2Header(nil, t, id), rest...)
}

func TestDecodeV2Outcomes(t *testing.T) {
	t.Parallel()
	v4 := []byte{0x01, 0xbb, familyIPv4, 192, 0, 2, 1, 0x30, 0x39}
	v6 := append([]byte{0x01, 0xbb, familyIPv6}, make([]byte, 18)...)
	hint := func(s string) []byte { return append([]byte{0, 1, 0, 0, 0, 0}, s...) }
	for _, tc := range []struct {
		name string
		msg  []byte
		want outcome
	}{
		// The header and the limits.
		{"empty", nil, malformed},
		{"four bytes", []byte{0x03, 0, 0, 0}, malformed},
		{"over the limit", v2Msg(V2Data, 1, make([]byte, MaxPayload+1)...), malformed},
		{"an extension over the limit", v2Msg(0x80, 1, make([]byte, MaxPayload+1)...), malformed},
		// Unknown types: extensions are ignored, the rest end the tunnel.
		{"extension 0x80", v2Msg(0x80, 0), ignored},
		{"extension 0xff with a body", v2Msg(0xff, 7, 1, 2, 3), ignored},
		{"extension 0x83 (0x80 | DATA)", v2Msg(0x83, 1, 'x'), ignored},
		{"type 0", v2Msg(0, 1), malformed},
		{"type 0x0d", v2Msg(0x0d, 1), malformed},
		{"type 0x7f", v2Msg(0x7f, 1), malformed},
		// Stream ids.
		{"open on stream 0", v2Msg(V2Open, 0, v4...), malformed},
		{"data on stream 0", v2Msg(V2Data, 0, 'x'), malformed},
		{"close on stream 0", v2Msg(V2Close, 0), malformed},
		{"datagram on flow 0", v2Msg(V2Datagram, 0, 'x'), malformed},
		{"ping on stream 1", v2Msg(V2Ping, 1, make([]byte, 8)...), malformed},
		{"goaway on stream 1", v2Msg(V2GoAway, 1, hint("")...), malformed},
		{"even stream (the daemon's)", v2Msg(V2Data, 2, 'x'), decoded},
		// OPEN and FLOW_OPEN.
		{"open IPv4", v2Msg(V2Open, 1, v4...), decoded},
		{"open IPv6", v2Msg(V2Open, 1, v6...), decoded},
		{"flow open IPv4", v2Msg(V2FlowOpen, 1, v4...), decoded},
		{"open, no client", v2Msg(V2Open, 1, 0x01, 0xbb, familyNone), decoded},
		{"open, no family", v2Msg(V2Open, 1, 0x01, 0xbb), malformed},
		{"open, no body", v2Msg(V2Open, 1), malformed},
		{"open, no client, a trailing byte", v2Msg(V2Open, 1, 0x01, 0xbb, familyNone, 0), malformed},
		{"open IPv4 cut short", v2Msg(V2Open, 1, v4[:len(v4)-1]...), malformed},
		{"open IPv4 with a trailing byte", v2Msg(V2Open, 1, append(v4, 0)...), malformed},
		{"open IPv6 cut short", v2Msg(V2Open, 1, v6[:len(v6)-1]...), malformed},
		{"open IPv6 with a trailing byte", v2Msg(V2Open, 1, append(v6, 0)...), malformed},
		{"open, family 5", v2Msg(V2Open, 1, 0x01, 0xbb, 5, 1, 2, 3, 4, 5, 6), malformed},
		{"flow open, IPv6 length under family 4", v2Msg(V2FlowOpen, 1, append([]byte{0x01, 0xbb, familyIPv4}, make([]byte, 18)...)...), malformed},
		// Fixed-size frames.
		{"open ok with a trailing byte", v2Msg(V2OpenOK, 1, 0), malformed},
		{"close with a trailing byte", v2Msg(V2Close, 1, 0), malformed},
		{"refused, one byte", v2Msg(V2OpenRefused, 1, 0), malformed},
		{"refused, three bytes", v2Msg(V2OpenRefused, 1, 0, 0, 0), malformed},
		{"reset, one byte", v2Msg(V2Reset, 1, 0), malformed},
		{"reset, no body", v2Msg(V2Reset, 1), malformed},
		{"ping, 7 bytes", v2Msg(V2Ping, 0, make([]byte, 7)...), malformed},
		{"pong, 9 bytes", v2Msg(V2Pong, 0, make([]byte, 9)...), malformed},
		// WINDOW_UPDATE.
		{"window update of 0", v2Msg(V2WindowUpdate, 1, 0, 0, 0, 0), malformed},
		{"window update of 1", v2Msg(V2WindowUpdate, 1, 0, 0, 0, 1), decoded},
		{"window update of 2^31-1", v2Msg(V2WindowUpdate, 1, 0x7f, 0xff, 0xff, 0xff), decoded},
		{"window update of 2^31", v2Msg(V2WindowUpdate, 1, 0x80, 0, 0, 0), malformed},
		{"window update, 3 bytes", v2Msg(V2WindowUpdate, 1, 0, 0, 1), malformed},
		// GOAWAY.
		{"goaway, no hint", v2Msg(V2GoAway, 0, hint("")...), decoded},
		{"goaway, 5-byte body", v2Msg(V2GoAway, 0, 0, 1, 0, 0, 0), malformed},
		{"goaway, longest hint", v2Msg(V2GoAway, 0, hint(strings.Repeat("a", MaxHintLen))...), decoded},
		{"goaway, hint too long", v2Msg(V2GoAway, 0, hint(strings.Repeat("a", MaxHintLen+1))...), malformed},
		{"goaway, hint with a space", v2Msg(V2GoAway, 0, hint("a b")...), malformed},
		{"goaway, hint with a NUL", v2Msg(V2GoAway, 0, hint("a\x00")...), malformed},
		{"goaway, hint not ASCII", v2Msg(V2GoAway, 0, hint("nœud")...), malformed},
		// DATA and DATAGRAM.
		{"empty data", v2Msg(V2Data, 1), decoded},
		{"data at the limit", v2Msg(V2Data, 1, make([]byte, MaxPayload)...), decoded},
		{"empty datagram", v2Msg(V2Datagram, 1), decoded},
	} {
		f, err := DecodeV2(tc.msg)
		if got := outcomeOf(t, err); got != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
		if err != nil && !reflect.DeepEqual(f, V2Frame{}) {
			t.Errorf("%s: an error and a frame %+v", tc.name, f)
		}
	}
}

func TestDecodeV2Fields(t *testing.T) {
	t.Parallel()
	msg := v2Msg(V2Open, 0x01020305, 0x03, 0x55, familyIPv4, 192, 0, 2, 1, 0x30, 0x39)
	f, err := DecodeV2(msg)
	want := V2Frame{Type: V2Open, Stream: 0x01020305, DestPort: 853, Client: netip.MustParseAddrPort("192.0.2.1:12345")}
	if err != nil || !reflect.DeepEqual(f, want) {
		t.Fatalf("OPEN decoded as %+v, %v", f, err)
	}
	msg = v2Msg(V2Data, 3, 'a', 'b')
	f, err = DecodeV2(msg)
	if err != nil || f.Stream != 3 || string(f.Payload) != "ab" {
		t.Fatalf("DATA decoded as %+v, %v", f, err)
	}
	if &f.Payload[0] != &msg[HeaderLen] {
		t.Error("the payload is a copy, want it to alias the message")
	}
}

// The wrapped error says which frame and why.
func TestDecodeV2ErrorsSayWhy(t *testing.T) {
	t.Parallel()
	_, err := DecodeV2(v2Msg(V2WindowUpdate, 9, 0, 0, 0, 0))
	for _, want := range []string{"WINDOW_UPDATE", "stream 9", "increment 0", ErrMalformed.Error()} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestAppendV2Refuses(t *testing.T) {
	t.Parallel()
	client := netip.MustParseAddrPort("192.0.2.1:1")
	prefix := []byte("keep")
	for _, tc := range []v2Case{
		{"type 0", V2Frame{Type: 0, Stream: 1}},
		{"an unknown mandatory type", V2Frame{Type: 0x0d, Stream: 1}},
		{"an extension type", V2Frame{Type: 0x80, Stream: 1}},
		{"data on stream 0", V2Frame{Type: V2Data, Payload: []byte{1}}},
		{"open on stream 0", V2Frame{Type: V2Open, DestPort: 443}},
		{"ping on stream 1", V2Frame{Type: V2Ping, Stream: 1}},
		{"goaway on stream 1", V2Frame{Type: V2GoAway, Stream: 1}},
		{"a payload on CLOSE", V2Frame{Type: V2Close, Stream: 1, Payload: []byte{1}}},
		{"a dest port on DATA", V2Frame{Type: V2Data, Stream: 1, DestPort: 443}},
		{"a client on OPEN_OK", V2Frame{Type: V2OpenOK, Stream: 1, Client: client}},
		{"a reset code on OPEN_REFUSED", V2Frame{Type: V2OpenRefused, Stream: 1, Reset: ResetInternal}},
		{"a refusal on RESET", V2Frame{Type: V2Reset, Stream: 1, Refuse: RefuseConnectFailed}},
		{"an increment on DATA", V2Frame{Type: V2Data, Stream: 1, Increment: 1}},
		{"opaque bytes on GOAWAY", V2Frame{Type: V2GoAway, Opaque: opaque}},
		{"a hint on PING", V2Frame{Type: V2Ping, Hint: "x"}},
		{"a last stream on RESET", V2Frame{Type: V2Reset, Stream: 1, LastStream: 1}},
		{"a goaway reason on CLOSE", V2Frame{Type: V2Close, Stream: 1, GoAway: GoAwayDraining}},
		{"a port without an address", V2Frame{Type: V2Open, Stream: 1, Client: netip.AddrPortFrom(netip.Addr{}, 80)}},
		{"a zoned client", V2Frame{Type: V2Open, Stream: 1, Client: netip.MustParseAddrPort("[fe80::1%eth0]:80")}},
		{"a window update of 0", V2Frame{Type: V2WindowUpdate, Stream: 1}},
		{"a window update over MaxWindow", V2Frame{Type: V2WindowUpdate, Stream: 1, Increment: MaxWindow + 1}},
		{"a hint too long", V2Frame{Type: V2GoAway, Hint: strings.Repeat("a", MaxHintLen+1)}},
		{"a hint with a space", V2Frame{Type: V2GoAway, Hint: "a b"}},
		{"a payload over the limit", V2Frame{Type: V2Data, Stream: 1, Payload: make([]byte, MaxPayload+1)}},
	} {
		b, err := AppendV2(prefix, tc.f)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
		if !bytes.Equal(b, prefix) {
			t.Errorf("%s: dst became %q", tc.name, b)
		}
	}
	for _, tc := range []struct {
		name string
		fn   func([]byte, StreamID, []byte) ([]byte, error)
		id   StreamID
		n    int
	}{
		{"DATA on stream 0", AppendV2Data, 0, 1},
		{"DATA over the limit", AppendV2Data, 1, MaxPayload + 1},
		{"DATAGRAM on flow 0", AppendV2Datagram, 0, 1},
		{"DATAGRAM over the limit", AppendV2Datagram, 1, MaxPayload + 1},
	} {
		b, err := tc.fn(prefix, tc.id, make([]byte, tc.n))
		if !errors.Is(err, ErrInvalid) || !bytes.Equal(b, prefix) {
			t.Errorf("%s: %q, %v; want ErrInvalid and dst untouched", tc.name, b, err)
		}
	}
}

// A sender can write the header, read the payload straight after it and
// send one message: the same bytes as AppendV2Data.
func TestHeaderThenPayloadIsOneDataMessage(t *testing.T) {
	t.Parallel()
	client := strings.NewReader(strings.Repeat("x", 3*MaxPayload))
	buf := make([]byte, 0, MaxMessage)
	buf = AppendV2Header(buf, V2Data, 5)
	n, err := client.Read(buf[len(buf):cap(buf)])
	if err != nil || n != MaxPayload {
		t.Fatalf("read %d, %v", n, err)
	}
	msg := buf[:HeaderLen+n]
	want, err := AppendV2Data(nil, 5, []byte(strings.Repeat("x", MaxPayload)))
	if err != nil || !bytes.Equal(msg, want) {
		t.Fatalf("header then read differs from AppendV2Data (%v)", err)
	}
	if f, err := DecodeV2(msg); err != nil || f.Stream != 5 || len(f.Payload) != MaxPayload {
		t.Fatalf("decoded %v, %v", f.Stream, err)
	}
}

func TestAppendV2Appends(t *testing.T) {
	t.Parallel()
	b, err := AppendV2([]byte{0xaa}, V2Frame{Type: V2Close, Stream: 0x01020304})
	if err != nil || !bytes.Equal(b, []byte{0xaa, 0x04, 1, 2, 3, 4}) {
		t.Fatalf("got %x, %v", b, err)
	}
}

// The types v1 also has keep v1's numbers, so hex dumps of either
// version read alike.
func TestV2SharesV1Numbers(t *testing.T) {
	t.Parallel()
	for v2, v1 := range map[V2Type]V1Type{V2Open: V1Connect, V2OpenOK: V1Ready, V2Data: V1Data, V2Close: V1Close, V2Ping: V1Ping, V2Pong: V1Pong} {
		if uint8(v2) != uint8(v1) {
			t.Errorf("%s is 0x%02x, v1's %s 0x%02x", v2, uint8(v2), v1, uint8(v1))
		}
	}
	if HeaderLen != V1HeaderLen {
		t.Error("the headers differ in length")
	}
}

func TestV2TypeClasses(t *testing.T) {
	t.Parallel()
	known := 0
	for i := range 256 {
		ty := V2Type(i)
		if ty.Known() {
			known++
			if ty.Extension() {
				t.Errorf("%s is known and an extension", ty)
			}
			if strings.HasPrefix(ty.String(), "v2type") {
				t.Errorf("0x%02x has no name", i)
			}
		}
		if ty.Extension() != (i >= 0x80) {
			t.Errorf("0x%02x: Extension() = %v", i, ty.Extension())
		}
	}
	if known != 12 {
		t.Errorf("%d known types, want 12", known)
	}
	if got := V2Type(0x42).String(); got != "v2type(0x42)" {
		t.Errorf("unknown type named %q", got)
	}
}

func TestStreamIDs(t *testing.T) {
	t.Parallel()
	for id, node := range map[StreamID]bool{1: true, 2: false, 3: true, 0xfffffffe: false, 0xffffffff: true} {
		if id.OpenedByNode() != node {
			t.Errorf("%d: OpenedByNode() = %v", id, !node)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	// Any UDP datagram fits one DATAGRAM: 65 535 minus the IPv6 UDP
	// header's 8 bytes, and less over IPv4.
	if MaxPayload < 65535-8 {
		t.Errorf("MaxPayload %d cannot carry every UDP datagram", MaxPayload)
	}
	if HeaderLen+MaxPayload != MaxMessage || MaxMessage != 65536 {
		t.Error("MaxMessage is not 64 KiB of header and payload")
	}
	if InitialWindow != 262144 || InitialWindow > MaxWindow {
		t.Error("InitialWindow is not 256 KiB")
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], MaxWindow)
	if b != [4]byte{0x7f, 0xff, 0xff, 0xff} {
		t.Error("MaxWindow is not 2^31-1")
	}
}

func TestCodeNames(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		RefuseTooManyStreams.String(): "too many streams",
		RefuseReason(77).String():     "refuse(77)",
		ResetFlowControl.String():     "flow control",
		ResetCode(9).String():         "reset(9)",
		GoAwayRebalance.String():      "rebalance",
		GoAwayReason(3).String():      "goaway(3)",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}
