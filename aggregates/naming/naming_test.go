package naming_test

import (
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
