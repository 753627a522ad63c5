package ids_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// parseCases are Parse's rules by example, for every kind of id alike.
var parseCases = []struct {
	name, in string
	ok       bool
}{
	{"version 4", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b", true},
	{"version 1", "123e4567-e89b-12d3-a456-426614174000", true},
	{"nil UUID", "00000000-0000-0000-0000-000000000000", true},
	{"all f", "ffffffff-ffff-ffff-ffff-ffffffffffff", true},

	{"empty", "", false},
	{"not a UUID", "x", false},
	{"upper case", "3F2B8C1E-9D4A-4E7B-8C2D-1A5F6E7D8C9B", false},
	{"one upper-case digit", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9B", false},
	{"braces", "{3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b}", false},
	{"urn", "urn:uuid:3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b", false},
	{"no hyphens", "3f2b8c1e9d4a4e7b8c2d1a5f6e7d8c9b", false},
	{"hyphen moved", "3f2b8c1-e9d4a-4e7b-8c2d-1a5f6e7d8c9b", false},
	{"hyphen for a digit", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c-b", false},
	{"digit for a hyphen", "3f2b8c1e09d4a-4e7b-8c2d-1a5f6e7d8c9b", false},
	{"not hex", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9g", false},
	{"one short", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9", false},
	{"one long", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b0", false},
	{"trailing newline", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9\n", false},
	{"leading space", " 3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8c9b", false},
	{"non-ASCII", "3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7d8cé", false},
	{"a slug", "home-lab", false},
}

// testParse runs parseCases for one kind of id.
func testParse[T ids.ID](t *testing.T) {
	t.Helper()
	for _, c := range parseCases {
		got, err := ids.Parse[T](c.in)
		switch {
		case c.ok && (err != nil || string(got) != c.in):
			t.Errorf("%s: Parse[%T](%q) = %q, %v; want it as it is", c.name, got, c.in, got, err)
		case !c.ok && (!errors.Is(err, ids.ErrInvalidID) || got != ""):
			t.Errorf("%s: Parse[%T](%q) = %q, %v; want ErrInvalidID", c.name, got, c.in, got, err)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	t.Run("TenantID", testParse[ids.TenantID])
	t.Run("NetworkID", testParse[ids.NetworkID])
	t.Run("CredentialID", testParse[ids.CredentialID])
	t.Run("SessionID", testParse[ids.SessionID])
	t.Run("RegistrationID", testParse[ids.RegistrationID])
}

func TestParseErrorQuotesABoundedInput(t *testing.T) {
	t.Parallel()
	_, err := ids.Parse[ids.TenantID](strings.Repeat("a", 10_000))
	if !errors.Is(err, ids.ErrInvalidID) || len(err.Error()) > 100 {
		t.Fatalf("Parse(10 kB) = %v", err)
	}
}

// v4 is the canonical form of a UUID version 4 with the RFC's variant.
var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// testNew draws ids of one kind: each a v4 UUID that Parse takes back as
// it is, none twice.
func testNew[T interface {
	ids.ID
	String() string
}](t *testing.T) {
	t.Helper()
	const n = 1000
	seen := make(map[T]bool, n)
	for range n {
		id := ids.New[T]()
		if !v4.MatchString(id.String()) {
			t.Fatalf("New[%T]() = %q, not a canonical UUID v4", id, id)
		}
		if back, err := ids.Parse[T](id.String()); err != nil || back != id {
			t.Fatalf("Parse(New[%T]() = %q) = %q, %v", id, id, back, err)
		}
		if seen[id] {
			t.Fatalf("New[%T]() = %q twice in %d", id, id, n)
		}
		seen[id] = true
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	t.Run("TenantID", testNew[ids.TenantID])
	t.Run("NetworkID", testNew[ids.NetworkID])
	t.Run("CredentialID", testNew[ids.CredentialID])
	t.Run("SessionID", testNew[ids.SessionID])
	t.Run("RegistrationID", testNew[ids.RegistrationID])
}

// Every bit New does not fix is drawn: over many ids, each position of
// the 122 random bits is seen both clear and set.
func TestNewDrawsEveryRandomBit(t *testing.T) {
	t.Parallel()
	var or, and [32]byte
	for i := range and {
		and[i] = 0xff
	}
	for range 256 {
		s := strings.ReplaceAll(ids.New[ids.TenantID]().String(), "-", "")
		for i := range s {
			or[i] |= s[i]
			and[i] &= s[i]
		}
	}
	for i := range or {
		switch i {
		case 12: // the version nibble
			if or[i] != '4' || and[i] != '4' {
				t.Errorf("version nibble varies: %q/%q", or[i], and[i])
			}
		default:
			if or[i] == and[i] {
				t.Errorf("hex digit %d is always %q", i, or[i])
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ids.Parse[ids.NetworkID](s)
		if err != nil {
			return
		}
		if string(id) != s || len(s) != 36 || strings.ToLower(s) != s ||
			strings.Trim(strings.ReplaceAll(s, "-", ""), "0123456789abcdef") != "" || strings.Count(s, "-") != 4 {
			t.Fatalf("accepted %q", s)
		}
	})
}
