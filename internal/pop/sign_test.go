package pop

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// seedDaemon is the seed of RFC 8032 §7.1 test 3: a fixed daemon key.
const seedDaemon = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"

// fixedNow is the signing time of the golden vectors.
var fixedNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func daemonKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	seed, err := hex.DecodeString(seedDaemon)
	if err != nil {
		t.Fatal(err)
	}
	return ed25519.NewKeyFromSeed(seed)
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
		t.Errorf("%s changed:\n got %q\nwant %q\n(a golden vector never changes silently: if the change is intended, run go test -update and explain it in the commit)", path, got, want)
	}
}

func TestBodyHashOfEmptyBody(t *testing.T) {
	t.Parallel()
	const want = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // contract §3.4
	if got := BodyHash(nil); got != want {
		t.Fatalf("BodyHash(nil) = %s, want %s", got, want)
	}
}

// The signed messages and signatures of a few requests are pinned: what a
// daemon signs never changes silently.
func TestGoldenMessagesAndSignatures(t *testing.T) {
	t.Parallel()
	key := daemonKey(t)
	for _, tc := range []struct {
		name, method, target string
		body                 []byte
	}{
		{"get_empty", "GET", "/v1/availability?slug=my-home", nil},
		{"post_token", "POST", "/v1/token", []byte(`{"public_key":"` + "/FHNjmIYoaONpH7QAjDwWAgW7RO6MwOsXeuRFUiQgCU=" + `"}`)},
		{"put_encoded", "PUT", "/v1/acme-challenge/_acme%2Dchallenge?x=a%20b&y=", []byte(`{"value":"v"}`)},
	} {
		ts, sig := Sign(key, tc.method, tc.target, fixedNow, tc.body)
		msg := Message(tc.method, tc.target, ts, tc.body)
		golden(t, tc.name+".msg", msg)
		golden(t, tc.name+".sig", []byte(sig))
		if ts != "1782907200" {
			t.Errorf("%s: timestamp %q", tc.name, ts)
		}
		if strings.Count(string(msg), "\n") != 3 || strings.HasSuffix(string(msg), "\n") {
			t.Errorf("%s: message %q is not four lines without a trailing newline", tc.name, msg)
		}
		if !ed25519.Verify(key.Public().(ed25519.PublicKey), msg, mustDecodeSig(t, sig)) {
			t.Errorf("%s: signature does not verify over the message", tc.name)
		}

		// SignRequest signs the request target as it goes on the wire.
		req := httptest.NewRequest(tc.method, tc.target, bytes.NewReader(tc.body))
		SignRequest(req, key, tc.body, fixedNow)
		if req.Header.Get(HeaderTimestamp) != ts || req.Header.Get(HeaderSignature) != sig {
			t.Errorf("%s: SignRequest headers %v, want %s %s", tc.name, req.Header, ts, sig)
		}
	}
}

func mustDecodeSig(t testing.TB, s string) []byte {
	t.Helper()
	sig, err := parseSignature([]string{s})
	if err != nil {
		t.Fatal(err)
	}
	return sig
}
