package pop

import (
	"crypto/ed25519"
	"encoding/base64"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseHeaders feeds arbitrary header values to the parsers. They
// must never panic, and what they accept must be exactly what the contract
// allows: an int64 in decimal, and the canonical standard base64 of 64
// bytes.
func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{
		"1782907200", "+1782907200", "-1", "0", "", " 1", "1e9", "0x10", "99999999999999999999",
		strings.Repeat("A", 86) + "==", strings.Repeat("A", 88), strings.Repeat("/", 85) + "B==",
		"F17BFgunaW+HL5Ruufe5GAyI0IeJFv/ZiUtC/kDmCrqO1ofhOOR2RCh76CfjFcKUfeTeEvwt573RUWWYvu0cDw==",
		"F17BFgunaW+HL5Ruufe5GAyI0IeJFv/ZiUtC/kDmCrqO1ofhOOR2RCh76CfjFcKUfeTeEvwt573RUWWYvu0cD\nw=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ts, err := parseTimestamp([]string{s}); err == nil {
			back, err := strconv.ParseInt(strconv.FormatInt(ts, 10), 10, 64)
			if err != nil || back != ts {
				t.Fatalf("timestamp %q parsed as %d, which does not round-trip", s, ts)
			}
			if len(s) > maxTimestampLen {
				t.Fatalf("accepted a %d-byte timestamp", len(s))
			}
		}
		if sig, err := parseSignature([]string{s}); err == nil {
			if len(sig) != ed25519.SignatureSize {
				t.Fatalf("signature %q decoded to %d bytes", s, len(sig))
			}
			if base64.StdEncoding.EncodeToString(sig) != s {
				t.Fatalf("accepted the non-canonical signature %q", s)
			}
		}
		// More than one value is always refused.
		if _, err := parseTimestamp([]string{s, s}); err == nil {
			t.Fatal("two timestamps accepted")
		}
		if _, err := parseSignature([]string{s, s}); err == nil {
			t.Fatal("two signatures accepted")
		}
	})
}

// withinWindow never overflows, whatever the timestamp.
func FuzzWithinWindow(f *testing.F) {
	f.Add(int64(1782907200), int64(1782907200))
	f.Add(int64(-1<<63), int64(1782907200))
	f.Add(int64(1<<63-1), int64(1782907200))
	f.Fuzz(func(t *testing.T, ts, offset int64) {
		now := 1782907200 + offset%(1<<40)                     // a real clock: far from the int64 limits
		d := new(big.Int).Sub(big.NewInt(ts), big.NewInt(now)) // exact, in 128 bits and more
		want := d.CmpAbs(big.NewInt(60)) <= 0
		if got := withinWindow(ts, now); got != want {
			t.Fatalf("withinWindow(%d, %d) = %v, want %v", ts, now, got, want)
		}
	})
}
