package agent

import (
	"errors"
	"fmt"
)

// ErrInvalidSlug is returned by ParseSlug, and by the calls that take a slug
// before anything is sent.
var ErrInvalidSlug = errors.New("invalid slug")

// Slug is a network's name, the left-most label of its host name.
type Slug string

// TenantID is the id of the tenant a daemon is enrolled with.
type TenantID string

// NetworkID is the id of the network a daemon is registered to.
type NetworkID string

// ParseSlug checks a slug the way a daemon does before putting it into a URL
// (contract §2.3, §11): 3–32 bytes of [a-z0-9-], not starting or ending with
// a hyphen. Upper case is refused, not folded. Reserved names pass: only the
// server knows its list, and it answers them as unavailable.
func ParseSlug(s string) (Slug, error) {
	if len(s) < 3 || len(s) > 32 || s[0] == '-' || s[len(s)-1] == '-' {
		return "", fmt.Errorf("%w %q: want 3 to 32 of a-z, 0-9 and '-', not at either end", ErrInvalidSlug, clip(s, 40))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return "", fmt.Errorf("%w %q: byte %d is not one of a-z, 0-9 and '-'", ErrInvalidSlug, clip(s, 40), i)
		}
	}
	return Slug(s), nil
}

// clip shortens what goes into an error message to at most n bytes.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
