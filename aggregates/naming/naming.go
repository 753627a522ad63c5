package naming

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors of the Parse functions. The API answers each with 400, in the
// contract's words where it has some.
var (
	ErrInvalidSlug   = errors.New("invalid slug")
	ErrReservedSlug  = errors.New("reserved slug")
	ErrUnknownRegion = errors.New("unknown region")
)

// Slug is a network's globally unique name, the left-most label of its
// host name (contract §2.3).
type Slug string

// Reserved is the contract's list of names no network may take.
var Reserved = []string{
	"www", "mail", "api", "ddns", "my", "admin", "bridge", "static", "wildcard",
	"wardnet", "support", "help", "ns", "ns1", "ns2", "ftp", "smtp", "imap",
	"pop3", "us", "eu",
}

// ParseSlug accepts 3–32 bytes of [a-z0-9-] with no leading or trailing
// hyphen that are not reserved. Upper case is refused, not folded.
func ParseSlug(s string) (Slug, error) {
	if !wellFormedSlug(s) {
		return "", fmt.Errorf("%w: %q", ErrInvalidSlug, truncate(s))
	}
	if slices.Contains(Reserved, s) {
		return "", fmt.Errorf("%w: %q", ErrReservedSlug, s)
	}
	return Slug(s), nil
}

func wellFormedSlug(s string) bool {
	if len(s) < 3 || len(s) > 32 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func (s Slug) String() string { return string(s) }

// Region is a region the service knows, where a network's DNS and tunnels
// live.
type Region string

// Regions is the set of known regions.
type Regions []Region

// ParseRegions reads a comma-separated list, trimming each entry.
func ParseRegions(s string) (Regions, error) {
	var rs Regions
	for part := range strings.SplitSeq(s, ",") {
		p := strings.TrimSpace(part)
		if p == "" {
			continue
		}
		if !wellFormedRegion(p) {
			return nil, fmt.Errorf("%w: %q is not a region name ([a-z0-9-], 1–32 bytes)", ErrUnknownRegion, truncate(p))
		}
		rs = append(rs, Region(p))
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: no region configured", ErrUnknownRegion)
	}
	return rs, nil
}

func wellFormedRegion(s string) bool {
	if len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Parse accepts one of the known regions, after trimming.
func (rs Regions) Parse(s string) (Region, error) {
	r := Region(strings.TrimSpace(s))
	if !slices.Contains(rs, r) {
		return "", fmt.Errorf("%w: %q", ErrUnknownRegion, truncate(s))
	}
	return r, nil
}

func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
