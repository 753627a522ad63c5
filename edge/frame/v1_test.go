package frame

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// outcome is what a decoder made of a message.
type outcome int

const (
	decoded outcome = iota
	ignored
	malformed
)

func (o outcome) String() string { return [...]string{"decoded", "ignored", "malformed"}[o] }

// outcomeOf classifies a decoder's error, failing on one that is neither
// of the sentinels (or both).
func outcomeOf(t testing.TB, err error) outcome {
	t.Helper()
	ig, mal := errors.Is(err, ErrIgnored), errors.Is(err, ErrMalformed)
	switch {
	case err == nil:
		return decoded
	case ig && !mal:
		return ignored
	case mal && !ig:
		return malformed
	}
	t.Fatalf("error %v is neither ErrIgnored nor ErrMalformed, or both", err)
	return 0
}

// normalV1 makes an empty payload nil, so frames compare by content.
func normalV1(f V1Frame) V1Frame {
	if len(f.Payload) == 0 {
		f.Payload = nil
	}
	return f
}

func TestV1RoundTrip(t *testing.T) {
	t.Parallel()
	big := V1Frame{Type: V1Data, Conn: 0xffffffff, Payload: bytes.Repeat([]byte{0xa5}, V1MaxMessage-V1HeaderLen)}
	type v1Case = struct {
		name string
		f    V1Frame
	}
	cases := append([]v1Case{
		{"largest data", big},
		{"ping with a conn id", V1Frame{Type: V1Ping, Conn: 9}},
	}, v1Vectors...)
	for _, tc := range cases {
		b, err := AppendV1(nil, tc.f)
		if err != nil {
			t.Fatalf("%s: encode: %v", tc.name, err)
		}
		got, err := DecodeV1(b)
		if err != nil {
			t.Fatalf("%s: decode %x: %v", tc.name, b, err)
		}
		if !reflect.DeepEqual(normalV1(got), normalV1(tc.f)) {
			t.Errorf("%s: decoded %+v, want %+v", tc.name, got, tc.f)
		}
	}
}

func v1Msg(t V1Type, c ConnID, rest ...byte) []byte {
	return append(AppendV1Header(nil, t, c), rest...)
}

// Contract §6.3's tolerance rules, and where this decoder is stricter.
func TestDecodeV1Outcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		msg  []byte
		want outcome
	}{
		{"empty", nil, ignored},
		{"one byte", []byte{0x03}, ignored},
		{"four bytes", []byte{0x02, 0, 0, 0}, ignored},
		{"four bytes of an unknown type", []byte{0x42, 0, 0, 0}, ignored},
		{"type 0", v1Msg(0, 1), ignored},
		{"type 7", v1Msg(7, 1), ignored},
		{"type 0xff with a body", v1Msg(0xff, 1, 1, 2, 3), ignored},
		{"unknown type over the limit", v1Msg(0x10, 1, make([]byte, V1MaxMessage)...), malformed},
		{"connect of 5 bytes", v1Msg(V1Connect, 1), malformed},
		{"connect of 6 bytes", v1Msg(V1Connect, 1, 0x01), malformed},
		{"connect of 7 bytes", v1Msg(V1Connect, 1, 0x01, 0xbb), decoded},
		{"connect of 8 bytes", v1Msg(V1Connect, 1, 0x01, 0xbb, 0), malformed},
		{"ready", v1Msg(V1Ready, 1), decoded},
		{"ready with a trailing byte", v1Msg(V1Ready, 1, 0), malformed},
		{"close with a trailing byte", v1Msg(V1Close, 1, 0), malformed},
		{"ping with a trailing byte", v1Msg(V1Ping, 0, 0), malformed},
		{"pong with a trailing byte", v1Msg(V1Pong, 0, 0), malformed},
		{"ping with a conn id", v1Msg(V1Ping, 5), decoded},
		{"empty data", v1Msg(V1Data, 1), decoded},
		{"data at the limit", v1Msg(V1Data, 1, make([]byte, V1MaxMessage-V1HeaderLen)...), decoded},
		{"data over the limit", v1Msg(V1Data, 1, make([]byte, V1MaxMessage-V1HeaderLen+1)...), malformed},
	} {
		f, err := DecodeV1(tc.msg)
		if got := outcomeOf(t, err); got != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
		if err != nil && !reflect.DeepEqual(f, V1Frame{}) {
			t.Errorf("%s: an error and a frame %+v", tc.name, f)
		}
	}
}

func TestDecodeV1Fields(t *testing.T) {
	t.Parallel()
	f, err := DecodeV1([]byte{0x01, 0xde, 0xad, 0xbe, 0xef, 0x03, 0x55})
	if err != nil || !reflect.DeepEqual(f, V1Frame{Type: V1Connect, Conn: 0xdeadbeef, DestPort: 853}) {
		t.Fatalf("CONNECT decoded as %+v, %v", f, err)
	}
	msg := v1Msg(V1Data, 7, 'a', 'b')
	f, err = DecodeV1(msg)
	if err != nil || f.Conn != 7 || string(f.Payload) != "ab" {
		t.Fatalf("DATA decoded as %+v, %v", f, err)
	}
	if &f.Payload[0] != &msg[V1HeaderLen] {
		t.Error("the payload is a copy, want it to alias the message")
	}
}

func TestAppendV1Refuses(t *testing.T) {
	t.Parallel()
	prefix := []byte("keep")
	for _, tc := range []struct {
		name string
		f    V1Frame
	}{
		{"type 0", V1Frame{Type: 0, Conn: 1}},
		{"type 7", V1Frame{Type: 7, Conn: 1}},
		{"a dest port on READY", V1Frame{Type: V1Ready, Conn: 1, DestPort: 443}},
		{"a dest port on DATA", V1Frame{Type: V1Data, Conn: 1, DestPort: 443}},
		{"a payload on CLOSE", V1Frame{Type: V1Close, Conn: 1, Payload: []byte{1}}},
		{"a payload on CONNECT", V1Frame{Type: V1Connect, Conn: 1, DestPort: 443, Payload: []byte{1}}},
		{"a payload over the limit", V1Frame{Type: V1Data, Conn: 1, Payload: make([]byte, V1MaxMessage-V1HeaderLen+1)}},
	} {
		b, err := AppendV1(prefix, tc.f)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
		if !bytes.Equal(b, prefix) {
			t.Errorf("%s: dst became %q", tc.name, b)
		}
	}
}

// AppendV1 appends: what dst held stays in front.
func TestAppendV1Appends(t *testing.T) {
	t.Parallel()
	b, err := AppendV1Data([]byte{0xaa}, 2, []byte{0xbb})
	if err != nil || !bytes.Equal(b, []byte{0xaa, 0x03, 0, 0, 0, 2, 0xbb}) {
		t.Fatalf("got %x, %v", b, err)
	}
	if got := binary.BigEndian.Uint32(AppendV1Header(nil, V1Close, 0x01020304)[1:]); got != 0x01020304 {
		t.Fatalf("conn id written as %#x", got)
	}
}

func TestV1TypeNames(t *testing.T) {
	t.Parallel()
	for ty, want := range map[V1Type]string{V1Connect: "CONNECT", V1Pong: "PONG", 0: "v1type(0x00)", 0x42: "v1type(0x42)"} {
		if got := ty.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(ty), got, want)
		}
	}
}
