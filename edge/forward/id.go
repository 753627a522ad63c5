package forward

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// ServiceTunneller is the service name of the tunnel edge nodes in their
// SPIFFE ids: the only service the forward plane speaks to.
const ServiceTunneller = "tunneller"

// ErrInvalidID is ParseID's and IDOf's error for a certificate or a string
// that does not carry one well-formed mesh SPIFFE id.
var ErrInvalidID = errors.New("forward: invalid SPIFFE id")

// ID is a mesh SPIFFE id, spiffe://<trust domain>/<env>/<scope>/<service>
// (contract §3.7): the scope is "global" or a region, the service one of
// tenants, ddns, tunneller. The forward plane compares the scope and the
// service only; the trust domain and env are parsed but never compared
// (the trust bundle is what keeps other domains out).
type ID struct {
	TrustDomain string
	Env         string
	Scope       string
	Service     string
}

// ParseID accepts spiffe://<trust domain>/<env>/<scope>/<service>: a
// trust domain of lower-case letters, digits, '.', '-' and '_', then
// exactly three non-empty path segments of letters, digits, '.', '-' and
// '_' (SPIFFE's character sets), and no port, user, query or fragment.
func ParseID(s string) (ID, error) {
	rest, ok := strings.CutPrefix(s, "spiffe://")
	if !ok {
		return ID{}, fmt.Errorf("%w: %q: not spiffe://", ErrInvalidID, truncate(s))
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		return ID{}, fmt.Errorf("%w: %q: want trust domain and three path segments", ErrInvalidID, truncate(s))
	}
	if !validChars(parts[0], false) {
		return ID{}, fmt.Errorf("%w: %q: trust domain", ErrInvalidID, truncate(s))
	}
	for _, seg := range parts[1:] {
		if !validChars(seg, true) {
			return ID{}, fmt.Errorf("%w: %q: path segment %q", ErrInvalidID, truncate(s), truncate(seg))
		}
	}
	return ID{TrustDomain: parts[0], Env: parts[1], Scope: parts[2], Service: parts[3]}, nil
}

// validChars reports whether s is non-empty and holds only SPIFFE's
// characters: lower-case letters, digits, '.', '-', '_', and upper-case
// letters too in a path segment.
func validChars(s string, path bool) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		case path && c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return true
}

// String is the id's URI.
func (id ID) String() string {
	return "spiffe://" + id.TrustDomain + "/" + id.Env + "/" + id.Scope + "/" + id.Service
}

// IDOf is the SPIFFE id of a leaf certificate: its one URI SAN. A leaf
// with no URI SAN, more than one, or one that is not a mesh SPIFFE id has
// none (ErrInvalidID).
func IDOf(leaf *x509.Certificate) (ID, error) {
	switch len(leaf.URIs) {
	case 0:
		return ID{}, fmt.Errorf("%w: no URI SAN", ErrInvalidID)
	case 1:
		return ParseID(leaf.URIs[0].String())
	default:
		return ID{}, fmt.Errorf("%w: %d URI SANs", ErrInvalidID, len(leaf.URIs))
	}
}

// truncate bounds what an error quotes of its input.
func truncate(s string) string {
	const max = 128
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
