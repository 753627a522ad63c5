package tokens

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Fixed keys: the seeds of RFC 8032 §7.1 tests 1, 2 and 3, so that their
// public keys (and the first one's RFC 8037 thumbprint) can be checked
// against the RFCs.
const (
	seedSigning = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
	seedNext    = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
	seedDaemon  = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"
)

// fixedNow is the issue time of the golden tokens.
var fixedNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

const (
	testTenant  = "0b7c6d0e-6f3a-4a55-9a43-8f5a1f2b9c10"
	testNetwork = "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
)

func keyFromSeed(t testing.TB, seedHex string) ed25519.PrivateKey {
	t.Helper()
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		t.Fatalf("bad seed %q", seedHex)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func newSigner(t testing.TB, current ed25519.PrivateKey, others ...ed25519.PublicKey) *Signer {
	t.Helper()
	s, err := NewSigner(current, others...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustSign(t testing.TB, s *Signer, c Claims) string {
	t.Helper()
	tok, err := s.Sign(c)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return tok
}

// signRaw builds a token the Signer would refuse to make: any header and
// any payload, signed with key (EdDSA) or not at all (key nil).
func signRaw(t testing.TB, key ed25519.PrivateKey, header map[string]any, payload any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := payload.([]byte)
	if !ok {
		if p, err = json.Marshal(payload); err != nil {
			t.Fatal(err)
		}
	}
	signing := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	if key == nil {
		return signing + "."
	}
	sig, err := jwt.SigningMethodEdDSA.Sign(signing, key)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func edHeader(kid KeyID) map[string]any {
	return map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": string(kid)}
}

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\n got %s\nwant %s\n(a golden vector never changes silently: if the change is intended, run go test -update and explain it in the commit)", path, got, want)
	}
}
