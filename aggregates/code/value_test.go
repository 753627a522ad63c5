package code_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
)

func TestNew(t *testing.T) {
	t.Parallel()
	seen := map[code.Code]bool{}
	for range 1000 {
		c := code.New()
		if len(c) != code.Len || strings.Trim(string(c), code.Alphabet) != "" {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 990 {
		t.Fatalf("only %d distinct codes of 1000", len(seen))
	}
}

func TestHash(t *testing.T) {
	t.Parallel()
	if code.Code("ABC234").Hash() == code.Code("abc234").Hash() {
		t.Fatal("hash must take the code exactly as submitted")
	}
	// The hash is the aggregate id of codes issued before: it must not
	// change.
	const want = "8c640c4e71f90160b2b3615af86739e6b15ddc877ae79e18aada753565f756c4"
	if got := code.Code("ABC234").Hash(); got != want {
		t.Fatalf("Hash = %s, want %s", got, want)
	}
}

func TestParsePurpose(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want code.Purpose
		web  bool
	}{
		{"signup", code.PurposeSignup, true},
		{"password_reset", code.PurposePasswordReset, true},
		{"password_change", code.PurposePasswordChange, true},
		{"enrollment", code.PurposeEnrollment, false},
		{"login", "", false},
		{"Signup", "", false},
		{" signup", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, err := code.ParsePurpose(c.in)
		if c.want == "" {
			if !errors.Is(err, code.ErrInvalidPurpose) || got != "" {
				t.Errorf("ParsePurpose(%q) = %q, %v; want ErrInvalidPurpose", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want || got.Web() != c.web {
			t.Errorf("ParsePurpose(%q) = %q (web %v), %v; want %q (web %v)", c.in, got, got.Web(), err, c.want, c.web)
		}
	}
}
