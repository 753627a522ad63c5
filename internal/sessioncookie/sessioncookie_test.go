package sessioncookie

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testKey is a fixed 64-byte key.
var testKey = bytes.Repeat([]byte("wardnet-session-cookie-key-0123456789abcdef!"), 2)[:64]

// token is what the cookie carries: a session token, hex of 32 bytes.
const token = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func newSealer(t testing.TB, key []byte) *Sealer {
	t.Helper()
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	return want
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	s := newSealer(t, testKey)
	a, b := s.Seal(token), s.Seal(token)
	if a == b {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	for _, sealed := range []string{a, b} {
		if strings.ContainsAny(sealed, "+/=") || strings.Contains(sealed, token) {
			t.Fatalf("sealed value %q is not opaque base64url", sealed)
		}
		got, err := s.Open(sealed)
		if err != nil || got != token {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
	// 12-byte nonce, 16-byte tag.
	if want := b64.EncodedLen(12 + len(token) + 16); len(a) != want {
		t.Fatalf("sealed length %d, want %d", len(a), want)
	}
	if got, err := s.Open(s.Seal("")); err != nil || got != "" {
		t.Fatalf("empty value: %q, %v", got, err)
	}
	// Another Sealer from the same key (another replica) opens it.
	if got, err := newSealer(t, append([]byte(nil), testKey...)).Open(a); err != nil || got != token {
		t.Fatalf("second replica: %q, %v", got, err)
	}
}

// The key derivation and the format are pinned: a sealed cookie from
// before a change still opens, or every user is logged out.
func TestGoldenFormat(t *testing.T) {
	t.Parallel()
	derived, err := deriveKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	if want := golden(t, "derived_key.hex", []byte(hex.EncodeToString(derived))); string(want) != hex.EncodeToString(derived) {
		t.Fatalf("derived key changed:\n got %x\nwant %s", derived, want)
	}
	s := newSealer(t, testKey)
	sealed := golden(t, "sealed.txt", []byte(s.Seal(token)))
	if got, err := s.Open(string(sealed)); err != nil || got != token {
		t.Fatalf("golden sealed value does not open: %q, %v", got, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	s := newSealer(t, testKey)
	sealed := s.Seal(token)
	raw, _ := b64.DecodeString(sealed)
	otherKey := append([]byte(nil), testKey...)
	otherKey[63] ^= 1
	forName := func(name string) string {
		// The same key and plaintext, sealed for another cookie name.
		derived, _ := deriveKey(testKey)
		block, _ := aes.NewCipher(derived)
		aead, _ := cipher.NewGCMWithRandomNonce(block)
		return b64.EncodeToString(aead.Seal(nil, nil, []byte(token), []byte(name)))
	}

	cases := map[string]string{
		"empty":                 "",
		"not base64url":         "!" + sealed[1:],
		"std base64 alphabet":   strings.NewReplacer("-", "+", "_", "/").Replace(sealed) + "+",
		"padded":                sealed + "=",
		"truncated by one":      sealed[:len(sealed)-1],
		"truncated to the tag":  b64.EncodeToString(raw[:12+15]),
		"nonce only":            b64.EncodeToString(raw[:12]),
		"appended byte":         b64.EncodeToString(append(append([]byte(nil), raw...), 0)),
		"oversized":             sealed + strings.Repeat("A", MaxSealedLen),
		"wrong key":             newSealer(t, otherKey).Seal(token),
		"other cookie name":     forName("wardnet_oauth"),
		"plaintext token":       token,
		"just over 4096 bytes":  strings.Repeat("A", MaxSealedLen+1),
		"line break in value":   sealed[:10] + "\n" + sealed[10:],
		"swapped nonce and tag": b64.EncodeToString(append(append([]byte(nil), raw[len(raw)-16:]...), raw[16:len(raw)-16]...)),
	}
	// Every single-bit flip anywhere: nonce, ciphertext and tag.
	for i := range raw {
		flipped := append([]byte(nil), raw...)
		flipped[i] ^= 0x80
		cases[fmt.Sprintf("bit flipped at byte %d", i)] = b64.EncodeToString(flipped)
	}
	for name, in := range cases {
		got, err := s.Open(in)
		if !errors.Is(err, ErrInvalid) || got != "" {
			t.Errorf("%s: Open = %q, %v, want ErrInvalid", name, got, err)
		}
	}
	// 4096 bytes is still read (and refused only for not authenticating).
	if _, err := s.Open(strings.Repeat("A", MaxSealedLen)); !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "4096 bytes") {
		t.Errorf("4096 bytes: %v", err)
	}
}

func TestNewSealerRefusesShortKey(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 32, 63} {
		if _, err := NewSealer(make([]byte, n)); err == nil {
			t.Errorf("%d-byte key accepted", n)
		}
	}
	if _, err := NewSealer(make([]byte, 64)); err != nil {
		t.Errorf("64-byte key: %v", err)
	}
}

func TestCookies(t *testing.T) {
	t.Parallel()
	c := New("sealed-value")
	if err := c.Valid(); err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "wardnet_session=sealed-value; Path=/; Max-Age=2592000; HttpOnly; Secure; SameSite=Lax"; got != want {
		t.Errorf("New:\n got %s\nwant %s", got, want)
	}
	if got, want := Clear().String(), "wardnet_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"; got != want {
		t.Errorf("Clear:\n got %s\nwant %s", got, want)
	}
	// A sealed value is a valid cookie value, and what a browser sends
	// back opens.
	s := newSealer(t, testKey)
	r, _ := http.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: Name, Value: s.Seal(token)})
	got, err := r.Cookie(Name)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Open(got.Value); err != nil || v != token {
		t.Fatalf("cookie round trip: %q, %v", v, err)
	}
}

func TestLoadKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // WriteFile's mode passes the umask
			t.Fatal(err)
		}
		return p
	}
	secret := append([]byte("SECRET-"), bytes.Repeat([]byte{0xab}, 64)...)
	if k, err := LoadKey(write("good", secret, 0o600)); err != nil || !bytes.Equal(k, secret) {
		t.Fatalf("0600 key: %v", err)
	}
	if _, err := LoadKey(write("readonly", secret, 0o400)); err != nil {
		t.Fatalf("0400 key: %v", err)
	}
	text := []byte(strings.Repeat("k", 64) + "\n")
	if k, err := LoadKey(write("text", text, 0o600)); err != nil || !bytes.Equal(k, text) {
		t.Fatalf("text key, newline kept: %q %v", k, err)
	}
	for name, tc := range map[string]struct {
		data []byte
		mode os.FileMode
		want string
	}{
		"group readable": {secret, 0o640, "group or others"},
		"world readable": {secret, 0o604, "group or others"},
		"group writable": {secret, 0o620, "group or others"},
		"63 bytes":       {secret[:63], 0o600, "63 bytes"},
		"empty":          {nil, 0o600, "0 bytes"},
		"huge":           {make([]byte, maxKeyFileLen+1), 0o600, "larger than"},
	} {
		_, err := LoadKey(write(name, tc.data, tc.mode))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file and %q", name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error repeats the key: %v", name, err)
		}
	}
	if _, err := LoadKey(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file loaded")
	}
	sub := filepath.Join(dir, "adir")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(sub); err == nil || !strings.Contains(err.Error(), "regular file") {
		t.Errorf("directory: %v", err)
	}
}
