package naming_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
)

func TestParseSlug(t *testing.T) {
	good := []string{"abc", "home-lab", "xn--bcher-kva", "a1b", strings.Repeat("a", 32), "a--b"}
	for _, s := range good {
		if _, err := naming.ParseSlug(s); err != nil {
			t.Errorf("ParseSlug(%q) = %v, want ok", s, err)
		}
	}
	bad := map[string]error{
		"ab":                    naming.ErrInvalidSlug,
		strings.Repeat("a", 33): naming.ErrInvalidSlug,
		"-abc":                  naming.ErrInvalidSlug,
		"abc-":                  naming.ErrInvalidSlug,
		"Home":                  naming.ErrInvalidSlug,
		"a_b":                   naming.ErrInvalidSlug,
		"a.bc":                  naming.ErrInvalidSlug,
		"héllo":                 naming.ErrInvalidSlug,
		"":                      naming.ErrInvalidSlug,
		"www":                   naming.ErrReservedSlug,
		"pop3":                  naming.ErrReservedSlug,
		"wardnet":               naming.ErrReservedSlug,
	}
	for s, want := range bad {
		if _, err := naming.ParseSlug(s); !errors.Is(err, want) {
			t.Errorf("ParseSlug(%q) = %v, want %v", s, err, want)
		}
	}
}

func TestParseEmail(t *testing.T) {
	e, err := naming.ParseEmail("  Alice@Example.COM ")
	if err != nil || e != "alice@example.com" {
		t.Fatalf("ParseEmail = %q, %v", e, err)
	}
	for _, s := range []string{"", "a@", "  @ ", "alice", strings.Repeat("a", 320) + "@x"} {
		if _, err := naming.ParseEmail(s); !errors.Is(err, naming.ErrInvalidEmail) {
			t.Errorf("ParseEmail(%q) = %v, want ErrInvalidEmail", s, err)
		}
	}
}

func TestDaemonKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	wire := base64.StdEncoding.EncodeToString(pub)
	k, err := naming.ParseDaemonKey(wire)
	if err != nil || k.String() != wire || !k.PublicKey().Equal(pub) || len(k.Fingerprint()) != 64 {
		t.Fatalf("round trip: %v %q", err, k)
	}
	raw, _ := json.Marshal(struct {
		K naming.DaemonKey `json:"k"`
	}{k})
	if string(raw) != `{"k":"`+wire+`"}` {
		t.Fatalf("json = %s", raw)
	}
	for _, s := range []string{
		"", "not base64!", base64.StdEncoding.EncodeToString(pub[:31]),
		base64.RawStdEncoding.EncodeToString(pub), base64.URLEncoding.EncodeToString(append([]byte{0xfb, 0xff}, pub[2:]...)),
	} {
		if _, err := naming.ParseDaemonKey(s); !errors.Is(err, naming.ErrInvalidKey) {
			t.Errorf("ParseDaemonKey(%q) = %v", s, err)
		}
	}
}

func TestParseID(t *testing.T) {
	id := naming.NewID()
	if _, err := naming.ParseID(id.String()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"", "x", strings.ToUpper(id.String()), "{" + id.String() + "}", "urn:uuid:" + id.String()} {
		if _, err := naming.ParseID(s); !errors.Is(err, naming.ErrInvalidID) {
			t.Errorf("ParseID(%q) = %v", s, err)
		}
	}
}

func TestRegions(t *testing.T) {
	rs, err := naming.ParseRegions(" local, euc ,")
	if err != nil || len(rs) != 2 {
		t.Fatalf("ParseRegions = %v, %v", rs, err)
	}
	if r, err := rs.Parse(" euc "); err != nil || r != "euc" {
		t.Fatalf("Parse = %q, %v", r, err)
	}
	if _, err := rs.Parse("use1"); !errors.Is(err, naming.ErrUnknownRegion) {
		t.Fatalf("unknown region: %v", err)
	}
	for _, s := range []string{"", " , ", "EU", "a b"} {
		if _, err := naming.ParseRegions(s); err == nil {
			t.Errorf("ParseRegions(%q) accepted", s)
		}
	}
}

func TestCodes(t *testing.T) {
	seen := map[naming.Code]bool{}
	for range 1000 {
		c := naming.NewCode()
		if len(c) != naming.CodeLen || strings.Trim(string(c), naming.CodeAlphabet) != "" {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 990 {
		t.Fatalf("only %d distinct codes of 1000", len(seen))
	}
	if naming.Code("ABC234").Hash() == naming.Code("abc234").Hash() {
		t.Fatal("hash must take the code exactly as submitted")
	}
	for _, s := range []string{"signup", "password_reset", "password_change", "enrollment"} {
		if _, err := naming.ParsePurpose(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := naming.ParsePurpose("login"); !errors.Is(err, naming.ErrInvalidPurpose) {
		t.Fatal("bad purpose accepted")
	}
}

func FuzzParseSlug(f *testing.F) {
	for _, s := range []string{"abc", "-a-", "www", "xn--x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug, err := naming.ParseSlug(s)
		if err != nil {
			return
		}
		if string(slug) != s || len(s) < 3 || len(s) > 32 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzParseDaemonKey(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := naming.ParseDaemonKey(s)
		if err == nil && k.String() != s {
			t.Fatalf("%q decoded to %q", s, k)
		}
	})
}

func FuzzParseEmail(f *testing.F) {
	f.Add(" A@B.c ")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := naming.ParseEmail(s)
		if err == nil {
			again, err := naming.ParseEmail(string(e))
			if err != nil || again != e {
				t.Fatalf("not idempotent: %q → %q → %q", s, e, again)
			}
		}
	})
}
