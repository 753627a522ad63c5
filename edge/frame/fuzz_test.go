package frame

import (
	"bytes"
	"testing"
)

// FuzzDecodeV1 feeds arbitrary messages to DecodeV1. It must never panic,
// must keep contract §6.3's tolerance rules (short and unknown messages
// ignored, known types never ignored), and what it decodes must re-encode
// to the very same bytes.
func FuzzDecodeV1(f *testing.F) {
	for _, b := range encodeV1Vectors(f) {
		f.Add(b)
	}
	for _, b := range [][]byte{nil, {0x01}, {0x01, 0, 0, 0, 1}, {0x01, 0, 0, 0, 1, 0}, {0x02, 0, 0, 0, 1, 0}, {0x07, 0, 0, 0, 0}, {0xff, 1, 2, 3, 4, 5}} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		fr, err := DecodeV1(msg)
		switch o := outcomeOf(t, err); {
		case len(msg) < V1HeaderLen:
			if o != ignored {
				t.Fatalf("%d-byte message %s, want ignored", len(msg), o)
			}
		case len(msg) > V1MaxMessage:
			if o != malformed {
				t.Fatalf("%d-byte message %s, want malformed", len(msg), o)
			}
		case !V1Type(msg[0]).Known():
			if o != ignored {
				t.Fatalf("unknown type 0x%02x %s, want ignored", msg[0], o)
			}
		case o == ignored:
			t.Fatalf("a %s ignored: %v", V1Type(msg[0]), err)
		case o == decoded:
			re, err := AppendV1(nil, fr)
			if err != nil {
				t.Fatalf("%x decoded as %+v, which does not encode: %v", msg, fr, err)
			}
			if !bytes.Equal(re, msg) {
				t.Fatalf("%x decoded as %+v, which encodes as %x", msg, fr, re)
			}
		}
	})
}

// FuzzDecodeV2 feeds arbitrary messages to DecodeV2. It must never panic,
// must ignore exactly the extension types, and what it decodes must
// re-encode to the very same bytes with the payload aliasing the message.
func FuzzDecodeV2(f *testing.F) {
	for _, b := range encodeV2Vectors(f) {
		f.Add(b)
	}
	for _, b := range [][]byte{
		nil, {0x03}, {0x80, 0, 0, 0, 0}, {0x0d, 0, 0, 0, 1},
		{0x01, 0, 0, 0, 1, 0x01, 0xbb, 0x06, 0x20, 0x01},
		{0x08, 0, 0, 0, 1, 0x80, 0, 0, 0},
		{0x0a, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 'a', ' '},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		fr, err := DecodeV2(msg)
		o := outcomeOf(t, err)
		wantIgnored := len(msg) >= HeaderLen && len(msg) <= MaxMessage && V2Type(msg[0]).Extension()
		if (o == ignored) != wantIgnored {
			t.Fatalf("%x: %s (%v); ignored should be %v", msg, o, err, wantIgnored)
		}
		if o != decoded {
			return
		}
		re, err := AppendV2(nil, fr)
		if err != nil {
			t.Fatalf("%x decoded as %+v, which does not encode: %v", msg, fr, err)
		}
		if !bytes.Equal(re, msg) {
			t.Fatalf("%x decoded as %+v, which encodes as %x", msg, fr, re)
		}
		if len(fr.Payload) > 0 && &fr.Payload[0] != &msg[HeaderLen] {
			t.Fatal("the payload is a copy, want it to alias the message")
		}
	})
}
