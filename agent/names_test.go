package agent

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSlug(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"abc", true},
		{"my-net", true},
		{"a1-2b", true},
		{"xn--bcher-kva", true}, // consecutive hyphens are allowed
		{"www", true},           // reserved: the server says unavailable
		{strings.Repeat("a", 32), true},
		{"ab", false},
		{"", false},
		{strings.Repeat("a", 33), false},
		{"-abc", false},
		{"abc-", false},
		{"Abc", false}, // refused, not folded
		{"ab_c", false},
		{"ab.c", false},
		{"ab c", false},
		{"ab%2f", false},
		{"über", false},
	} {
		got, err := ParseSlug(tc.in)
		if tc.ok && (err != nil || string(got) != tc.in) {
			t.Errorf("ParseSlug(%q) = %q, %v; want it accepted", tc.in, got, err)
		}
		if !tc.ok && !errors.Is(err, ErrInvalidSlug) {
			t.Errorf("ParseSlug(%q) = %q, %v; want ErrInvalidSlug", tc.in, got, err)
		}
	}
}
