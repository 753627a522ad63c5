package events_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/events"
)

func TestRefs(t *testing.T) {
	t.Parallel()
	good := [][2]string{{"tenant", "01J9Z8"}, {"slug", "my-home"}, {"email", strings.Repeat("ab", 32)}, {"daemon_key", "SHA256_abc-="}}
	for _, g := range good {
		r, err := events.NewRef(g[0], g[1])
		if err != nil {
			t.Errorf("NewRef(%q, %q): %v", g[0], g[1], err)
			continue
		}
		back, err := events.ParseSubject(r.Subject())
		if err != nil || back != r {
			t.Errorf("round trip of %s: %v, %v", r.Subject(), back, err)
		}
	}
	bad := [][2]string{
		{"", "x"}, {"Tenant", "x"}, {"1t", "x"}, {"t.x", "y"}, {"t*", "y"},
		{"t", ""}, {"t", "a.b"}, {"t", "a*"}, {"t", ">"}, {"t", "a b"}, {"t", strings.Repeat("x", 129)}, {"t", "ü"},
	}
	for _, b := range bad {
		if _, err := events.NewRef(b[0], b[1]); err == nil {
			t.Errorf("NewRef(%q, %q) accepted", b[0], b[1])
		}
	}
	for _, s := range []string{"", "wardnet.ev.", "wardnet.ev.tenant", "other.tenant.x", "wardnet.ev.tenant.a.b"} {
		if _, err := events.ParseSubject(s); err == nil {
			t.Errorf("ParseSubject(%q) accepted", s)
		}
	}
	if f, err := events.TypeFilter("tenant"); err != nil || f != "wardnet.ev.tenant.*" {
		t.Errorf("TypeFilter = %q, %v", f, err)
	}
}

func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{"wardnet.ev.tenant.abc", "wardnet.ev..", "wardnet.ev.a.b.c", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := events.ParseSubject(s)
		if err != nil {
			return
		}
		if r.Subject() != s {
			t.Fatalf("ParseSubject(%q) = %s, which does not round-trip", s, r.Subject())
		}
		if strings.ContainsAny(r.ID(), ".*> \t\r\n") {
			t.Fatalf("id %q holds a NATS token character", r.ID())
		}
	})
}
