package sni

import (
	"fmt"
	"strings"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
)

// Zone is the DNS name under which a region's networks are reached through
// the tunnel, e.g. dyn.example.net: lowercased, without a trailing dot.
type Zone struct {
	name string
}

// ParseZone accepts a DNS host name, in any case, with or without one
// trailing dot.
func ParseZone(s string) (Zone, error) {
	name := strings.TrimSuffix(s, ".")
	if err := checkHostName([]byte(name)); err != nil {
		return Zone{}, fmt.Errorf("%w: %q: %w", ErrInvalidZone, clip([]byte(s)), err)
	}
	return Zone{name: strings.ToLower(name)}, nil
}

func (z Zone) String() string { return z.name }

// Route says which network a server name reaches: the slug is the label
// immediately before the zone, in <slug>.<zone> and in
// <anything>.<slug>.<zone>. Case does not matter. It refuses, with
// ErrInvalidServerName, ErrZoneApex, ErrOutsideZone or ErrInvalidSlug, a
// name that is not a host name, is the zone itself, is not below it, or
// whose label before the zone no network can hold (naming.ParseSlug).
func (z Zone) Route(serverName string) (naming.Slug, error) {
	name, err := parseHostName([]byte(serverName))
	if err != nil {
		return "", err
	}
	if name == z.name {
		return "", fmt.Errorf("%w: %q", ErrZoneApex, name)
	}
	below, ok := strings.CutSuffix(name, "."+z.name)
	if !ok || z.name == "" {
		return "", fmt.Errorf("%w: %q is not below %q", ErrOutsideZone, clip([]byte(name)), z.name)
	}
	label := below[strings.LastIndexByte(below, '.')+1:]
	slug, err := naming.ParseSlug(label)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidSlug, err)
	}
	return slug, nil
}
