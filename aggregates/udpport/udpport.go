package udpport

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: a region's pool is on
// wardnet.ev.udpport.<region>.
const Type = "udpport"

// StateVersion is the version of State's JSON encoding (snapshots).
const StateVersion = 1

// Errors the commands return; callers branch on them with errors.Is.
var (
	// ErrExhausted: every port of the range is held by another network.
	ErrExhausted = errors.New("udpport: pool exhausted")
	// ErrInvalidRange: the range is empty, reversed or includes port 0.
	ErrInvalidRange = errors.New("udpport: invalid port range")
)

// Register adds every event of the package to c, at schema version 1.
func Register(c *events.Catalog) {
	events.Register[Allocated](c, 1)
	events.Register[Released](c, 1)
}

// Range is the ports of a region's pool, First to Last inclusive.
type Range struct {
	First, Last uint16
}

// DefaultRange is the pool of a region that configures none: a thousand
// ports from WireGuard's own 51820.
var DefaultRange = Range{First: 51820, Last: 52819}

// Valid reports whether r holds at least one port and not port 0.
func (r Range) Valid() bool { return r.First > 0 && r.First <= r.Last }

// Contains reports whether p is one of r's ports.
func (r Range) Contains(p uint16) bool { return p >= r.First && p <= r.Last }

// Size is the number of ports in r; 0 when r is not valid.
func (r Range) Size() int {
	if !r.Valid() {
		return 0
	}
	return int(r.Last) - int(r.First) + 1
}

// String is "first-last".
func (r Range) String() string { return fmt.Sprintf("%d-%d", r.First, r.Last) }

// ParseRange reads "first-last" (or a single port), as String writes it.
func ParseRange(s string) (Range, error) {
	first, last, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		last = first
	}
	f, err1 := strconv.ParseUint(strings.TrimSpace(first), 10, 16)
	l, err2 := strconv.ParseUint(strings.TrimSpace(last), 10, 16)
	r := Range{First: uint16(f), Last: uint16(l)}
	if err1 != nil || err2 != nil || !r.Valid() {
		return Range{}, fmt.Errorf("%w: %q (want first-last, 1 to 65535, first ≤ last)", ErrInvalidRange, s)
	}
	return r, nil
}
