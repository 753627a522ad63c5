package personal_test

import (
	"errors"
	netmail "net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wardnet/wardnet-cloud/aggregates/personal"
)

func TestParseEmail(t *testing.T) {
	e, err := personal.ParseEmail("  Alice@Example.COM ")
	if err != nil || e != "alice@example.com" {
		t.Fatalf("ParseEmail = %q, %v", e, err)
	}
	for _, s := range []string{"", "a@", "  @ ", "alice", strings.Repeat("a", 320) + "@x"} {
		if _, err := personal.ParseEmail(s); !errors.Is(err, personal.ErrInvalidEmail) {
			t.Errorf("ParseEmail(%q) = %v, want ErrInvalidEmail", s, err)
		}
	}
}

func FuzzParseEmail(f *testing.F) {
	f.Add(" A@B.c ")
	for _, c := range emailCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := personal.ParseEmail(s)
		if err == nil {
			again, err := personal.ParseEmail(string(e))
			if err != nil || again != e {
				t.Fatalf("not idempotent: %q → %q → %q", s, e, again)
			}
			wantSafeEmail(t, s, e)
		}
	})
}

// emailCases are ParseEmail's rules by example: want is the normalised
// email, or "" for ErrInvalidEmail.
var emailCases = []struct{ name, in, want string }{
	{"plain", "you@example.com", "you@example.com"},
	{"plus tag", "a+b@x.io", "a+b@x.io"},
	{"trimmed and lower-cased", "  Alice@Example.COM ", "alice@example.com"},
	{"line breaks around are trimmed", "\tbob@example.com\r\n", "bob@example.com"},
	{"single-label domain", "a@b", "a@b"},
	{"dots in both parts", "first.last@mail.example.co.uk", "first.last@mail.example.co.uk"},
	{"atext symbols", "o'brien!#$%&*/=?^_`{|}~-x@example.com", "o'brien!#$%&*/=?^_`{|}~-x@example.com"},
	{"punycode domain", "a@xn--bcher-kva.example", "a@xn--bcher-kva.example"},
	{"UTF-8 local part", "é@example.org", "é@example.org"},
	{"UTF-8 folded", "JOSÉ@Bücher.Example", "josé@bücher.example"},
	{"UTF-8 throughout", "用户@例子.广告", "用户@例子.广告"},
	{"longest", strings.Repeat("a", 316) + "@b.c", strings.Repeat("a", 316) + "@b.c"},

	{"empty", "", ""},
	{"no domain", "a@", ""},
	{"only an at", "  @ ", ""},
	{"no at", "alice", ""},
	{"no local part", "@example.com", ""},
	{"two ats", "a@b@example.com", ""},
	{"double at", "a@@example.com", ""},
	{"too long", strings.Repeat("a", 317) + "@b.c", ""},
	{"CRLF inside", "a\r\nbcc@example.com", ""},
	{"CR inside", "a\r@example.com", ""},
	{"LF inside", "a@exa\nmple.com", ""},
	{"header injection", "a@example.com\r\nBcc: x@example.net", ""},
	{"NUL", "a\x00@example.com", ""},
	{"TAB inside", "a\tb@example.com", ""},
	{"ESC", "a\x1b@example.com", ""},
	{"DEL", "a\x7f@example.com", ""},
	{"C1 control NEL", "a\u0085b@example.com", ""},
	{"space inside", "a b@example.com", ""},
	{"no-break space", "a\u00a0b@example.com", ""},
	{"line separator", "a\u2028b@example.com", ""},
	{"right-to-left override", "a\u202eb@example.com", ""},
	{"display name", "Alice <a@example.com>", ""},
	{"angle brackets", "<a@example.com>", ""},
	{"greater than", "a>@example.com", ""},
	{"quoted local part", `"a"@example.com`, ""},
	{"comment", "a(x)@example.com", ""},
	{"list", "a@example.com,b@example.com", ""},
	{"semicolon", "a;b@example.com", ""},
	{"colon", "a:b@example.com", ""},
	{"backslash", `a\b@example.com`, ""},
	{"domain literal", "a@[127.0.0.1]", ""},
	{"invalid UTF-8", "a\xff@example.com", ""},
	{"truncated UTF-8", "\xc3@example.com", ""},
	{"UTF-8 surrogate", "a@b\xed\xa0\x80.com", ""},
	{"leading dot", ".a@example.com", ""},
	{"trailing dot in local part", "a.@example.com", ""},
	{"double dot in local part", "a..b@example.com", ""},
	{"leading dot in domain", "a@.example.com", ""},
	{"trailing dot in domain", "a@example.com.", ""},
	{"empty label", "a@example..com", ""},
	{"domain only a dot", "ab@.", ""},
}

func TestParseEmailRules(t *testing.T) {
	t.Parallel()
	for _, c := range emailCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := personal.ParseEmail(c.in)
			if c.want == "" {
				if !errors.Is(err, personal.ErrInvalidEmail) || got != "" {
					t.Fatalf("ParseEmail(%q) = %q, %v, want ErrInvalidEmail", c.in, got, err)
				}
				return
			}
			if err != nil || string(got) != c.want {
				t.Fatalf("ParseEmail(%q) = %q, %v, want %q", c.in, got, err, c.want)
			}
			wantSafeEmail(t, c.in, got)
		})
	}
}

// wantSafeEmail fails t unless e, accepted from in, is safe in a mail
// header: no ASCII control byte, none of RFC 5322's specials but one "@",
// valid UTF-8, lower case, and a bare address to net/mail exactly as
// gateways/outbound/mail checks a recipient (its Code.Validate; the tenantsapi tests
// run that one too).
func wantSafeEmail(t *testing.T, in string, e personal.Email) {
	t.Helper()
	s := string(e)
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			t.Fatalf("ParseEmail(%q) accepted %q with control byte %#x", in, s, s[i])
		}
	}
	if !utf8.ValidString(s) || strings.ContainsAny(s, `<>"(),;:\[] `) || strings.Count(s, "@") != 1 ||
		strings.ToLower(s) != s {
		t.Fatalf("ParseEmail(%q) accepted %q", in, s)
	}
	addr, err := netmail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		t.Fatalf("ParseEmail(%q) accepted %q, which net/mail reads as %v, %v", in, s, addr, err)
	}
}
