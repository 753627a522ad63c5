package tokens

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// The kid is the RFC 7638 thumbprint; RFC 8037 §A.3 gives it for the key
// of RFC 8032 test 1.
func TestThumbprintMatchesRFC8037(t *testing.T) {
	t.Parallel()
	k := keyFromSeed(t, seedSigning)
	if got, want := hex.EncodeToString(pub(k)), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"; got != want {
		t.Fatalf("public key of RFC 8032 test 1 = %s, want %s", got, want)
	}
	if got, want := Thumbprint(pub(k)), KeyID("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"); got != want {
		t.Fatalf("thumbprint = %s, want %s (RFC 8037 A.3)", got, want)
	}
}

// The JWT library's EdDSA is RFC 8037's: the JWS of §A.4 verifies.
func TestLibraryVerifiesRFC8037Example(t *testing.T) {
	t.Parallel()
	const jws = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
	parts := strings.Split(jws, ".")
	sig, err := jwt.NewParser().DecodeSegment(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := jwt.SigningMethodEdDSA.Verify(parts[0]+"."+parts[1], sig, pub(keyFromSeed(t, seedSigning))); err != nil {
		t.Fatalf("RFC 8037 A.4 example does not verify: %v", err)
	}
}

// PEM files: PKCS#8 and SPKI as RFC 8410 lays them out (a fixed DER prefix
// followed by the seed or the public key), pinned in testdata.
func TestPEMGoldenAndRFC8410Layout(t *testing.T) {
	t.Parallel()
	k := keyFromSeed(t, seedSigning)
	privPEM, err := MarshalPrivateKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := MarshalPublicKeyPEM(pub(k))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "signing_key.pem", privPEM)
	golden(t, "signing_key.pub.pem", pubPEM)

	b, _ := pem.Decode(privPEM)
	if want := "302e020100300506032b657004220420" + seedSigning; hex.EncodeToString(b.Bytes) != want || b.Type != "PRIVATE KEY" {
		t.Errorf("PKCS#8 = %s %x, want PRIVATE KEY %s", b.Type, b.Bytes, want)
	}
	b, _ = pem.Decode(pubPEM)
	if want := "302a300506032b6570032100" + hex.EncodeToString(pub(k)); hex.EncodeToString(b.Bytes) != want || b.Type != "PUBLIC KEY" {
		t.Errorf("SPKI = %s %x, want PUBLIC KEY %s", b.Type, b.Bytes, want)
	}

	gotPriv, err := ParsePrivateKeyPEM(privPEM)
	if err != nil || !gotPriv.Equal(k) {
		t.Fatalf("private key round trip: %v", err)
	}
	gotPub, err := ParsePublicKeyPEM(pubPEM)
	if err != nil || !gotPub.Equal(pub(k)) {
		t.Fatalf("public key round trip: %v", err)
	}
}

func TestLoadKeyFiles(t *testing.T) {
	t.Parallel()
	k, err := LoadPrivateKey(filepath.Join("testdata", "signing_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadPublicKey(filepath.Join("testdata", "signing_key.pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Equal(pub(k)) || !k.Equal(keyFromSeed(t, seedSigning)) {
		t.Fatal("loaded keys are not the fixed test key")
	}
	if _, err := LoadPrivateKey(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Fatal("missing file loaded")
	}
	// The public key file is not a private key, and the error does not
	// repeat the file's content.
	_, err = LoadPrivateKey(filepath.Join("testdata", "signing_key.pub.pem"))
	if err == nil || strings.Contains(err.Error(), "MCowBQYDK2Vw") {
		t.Fatalf("public PEM as private key: %v", err)
	}
}

func TestGenerateKeyPEM(t *testing.T) {
	t.Parallel()
	a, err := GenerateKeyPEM(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateKeyPEM(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Fatalf("generated keys: %q %q", a, b)
	}
	k, err := ParsePrivateKeyPEM(a)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(path, a, 0o600); err != nil {
		t.Fatal(err)
	}
	if l, err := LoadPrivateKey(path); err != nil || !l.Equal(k) {
		t.Fatalf("load generated key: %v", err)
	}
}

func TestParsePEMRefuses(t *testing.T) {
	t.Parallel()
	k := keyFromSeed(t, seedSigning)
	privPEM, _ := MarshalPrivateKeyPEM(k)
	pubPEM, _ := MarshalPublicKeyPEM(pub(k))
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	ecPubDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	ecPubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecPubDER})

	for name, in := range map[string][]byte{
		"empty":            nil,
		"not PEM":          []byte("hello"),
		"public as priv":   pubPEM,
		"EC key":           ecPEM,
		"two blocks":       append(append([]byte{}, privPEM...), privPEM...),
		"garbage DER":      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
		"old-style header": pem.EncodeToMemory(&pem.Block{Type: "ED25519 PRIVATE KEY", Bytes: []byte{1}}),
	} {
		if _, err := ParsePrivateKeyPEM(in); err == nil {
			t.Errorf("private %s: parsed", name)
		}
	}
	for name, in := range map[string][]byte{
		"private as pub": privPEM,
		"EC key":         ecPubPEM,
		"trailing text":  append(append([]byte{}, pubPEM...), "x"...),
	} {
		if _, err := ParsePublicKeyPEM(in); err == nil {
			t.Errorf("public %s: parsed", name)
		}
	}
	// Surrounding whitespace is fine: files end with a newline or two.
	if _, err := ParsePublicKeyPEM(append(append([]byte{}, pubPEM...), "\n\n"...)); err != nil {
		t.Errorf("trailing newlines: %v", err)
	}
}

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	k := pub(keyFromSeed(t, seedDaemon))
	s := EncodeKey(k)
	if len(s) != 44 || !strings.HasSuffix(s, "=") {
		t.Fatalf("wire form %q: want 44 chars of padded std base64", s)
	}
	if got, err := DecodeKey(s); err != nil || !got.Equal(k) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{
		"", strings.TrimSuffix(s, "="), s[:40] + "\n" + s[40:], " " + s,
		EncodeKey(k[:31]), EncodeKey(append(append([]byte{}, k...), 0)),
	} {
		if _, err := DecodeKey(bad); err == nil {
			t.Errorf("DecodeKey(%q) accepted", bad)
		}
	}
}
