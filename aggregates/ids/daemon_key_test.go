package ids_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

func TestDaemonKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	wire := base64.StdEncoding.EncodeToString(pub)
	k, err := ids.ParseDaemonKey(wire)
	if err != nil || k.String() != wire || !k.PublicKey().Equal(pub) || len(k.Fingerprint()) != 64 {
		t.Fatalf("round trip: %v %q", err, k)
	}
	sum := sha256.Sum256(pub)
	if got, want := k.Fingerprint(), ids.DaemonID(hex.EncodeToString(sum[:])); got != want || got.String() != string(want) {
		t.Fatalf("Fingerprint = %q, want %q", got, want)
	}
	if of, err := ids.DaemonKeyOf(pub); err != nil || of != k {
		t.Fatalf("DaemonKeyOf = %q, %v", of, err)
	}
	if _, err := ids.DaemonKeyOf(pub[:31]); !errors.Is(err, ids.ErrInvalidKey) {
		t.Fatalf("DaemonKeyOf(31 bytes) = %v", err)
	}
	raw, _ := json.Marshal(struct {
		K ids.DaemonKey `json:"k"`
	}{k})
	if string(raw) != `{"k":"`+wire+`"}` {
		t.Fatalf("json = %s", raw)
	}
	var back struct {
		K ids.DaemonKey `json:"k"`
	}
	if err := json.Unmarshal(raw, &back); err != nil || back.K != k {
		t.Fatalf("json back = %q, %v", back.K, err)
	}
	if !(ids.DaemonKey{}).IsZero() || k.IsZero() {
		t.Fatal("IsZero")
	}
	for _, s := range []string{
		"", "not base64!", base64.StdEncoding.EncodeToString(pub[:31]),
		base64.RawStdEncoding.EncodeToString(pub), base64.URLEncoding.EncodeToString(append([]byte{0xfb, 0xff}, pub[2:]...)),
	} {
		if _, err := ids.ParseDaemonKey(s); !errors.Is(err, ids.ErrInvalidKey) {
			t.Errorf("ParseDaemonKey(%q) = %v", s, err)
		}
		if err := json.Unmarshal([]byte(`{"k":"`+s+`"}`), &back); err == nil {
			t.Errorf("json accepted %q", s)
		}
	}
}

func FuzzParseDaemonKey(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ids.ParseDaemonKey(s)
		if err == nil && k.String() != s {
			t.Fatalf("%q decoded to %q", s, k)
		}
	})
}
