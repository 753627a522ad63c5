package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: a network's reports are on
// wardnet.ev.dns.<network id>.
const Type = "dns"

// StateVersion is the version of State's JSON encoding (snapshots). 2:
// Challenge is oldest first.
const StateVersion = 2

// Limits of a challenge (contract §1.6): 1 to MaxValues values of at most
// MaxValueLen bytes each.
const (
	MaxValues   = 4
	MaxValueLen = 255
)

// Errors of the commands and of ParsePublicAddress.
var (
	ErrNotPublic    = errors.New("not a public address")
	ErrBadChallenge = errors.New("invalid challenge values")
)

// Register adds every event of the aggregate to c, at version 1.
func Register(c *events.Catalog) {
	events.Register[AddressReported](c, 1)
	events.Register[ChallengeSet](c, 1)
	events.Register[ChallengeCleared](c, 1)
}

// AddressReported is the daemon's new public address of one family.
type AddressReported struct {
	Address netip.Addr `json:"address"`
}

// EventType implements events.Payload.
func (AddressReported) EventType() string { return "wardnet.dns.address_reported" }

// ChallengeSet replaces the network's ACME challenge values.
type ChallengeSet struct {
	Values []string `json:"values"`
}

// EventType implements events.Payload.
func (ChallengeSet) EventType() string { return "wardnet.dns.challenge_set" }

// ChallengeCleared removes the challenge values.
type ChallengeCleared struct{}

// EventType implements events.Payload.
func (ChallengeCleared) EventType() string { return "wardnet.dns.challenge_cleared" }

// State is what the daemon last reported. Its JSON is what snapshots store.
type State struct {
	IPv4 netip.Addr `json:"ipv4,omitzero"`
	IPv6 netip.Addr `json:"ipv6,omitzero"`
	// Challenge holds the challenge values oldest first: the values a
	// ChallengeSet keeps from the set before stay in their place, and the
	// ones it adds follow, in the event's order. (The event does not say
	// which value is new; this order is derived, for AddChallenge.)
	Challenge []string `json:"challenge,omitempty"`
}

// Initial is the state of a network without reports.
func Initial() State { return State{} }

// Evolve applies one stored event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	switch e := rec.Data.(type) {
	case AddressReported:
		if e.Address.Is4() {
			s.IPv4 = e.Address
		} else {
			s.IPv6 = e.Address
		}
	case ChallengeSet:
		s.Challenge = ordered(s.Challenge, e.Values)
	case ChallengeCleared:
		s.Challenge = nil
	}
	return s
}

// ordered is the values of a ChallengeSet, oldest first: those of before
// (oldest first too) that it keeps, then the others in its order.
func ordered(before, values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range before {
		if slices.Contains(values, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, v := range values {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// ReportAddress records a public address the daemon reported.
type ReportAddress struct {
	Address netip.Addr
}

// Decide: an address that is not public is ErrNotPublic; the address the
// network already has for its family decides nothing.
func (c ReportAddress) Decide(s State) ([]events.Payload, error) {
	addr, err := checkPublic(c.Address)
	if err != nil {
		return nil, err
	}
	if (addr.Is4() && s.IPv4 == addr) || (addr.Is6() && s.IPv6 == addr) {
		return nil, nil
	}
	return []events.Payload{AddressReported{Address: addr}}, nil
}

// SetChallenge replaces the challenge values.
type SetChallenge struct {
	Values []string
}

// Decide: 1 to MaxValues non-empty values of at most MaxValueLen bytes,
// else ErrBadChallenge; the values the network already has (in any order)
// decide nothing.
func (c SetChallenge) Decide(s State) ([]events.Payload, error) {
	if n := len(c.Values); n == 0 || n > MaxValues {
		return nil, fmt.Errorf("%w: %d values, want 1 to %d", ErrBadChallenge, n, MaxValues)
	}
	for _, v := range c.Values {
		if v == "" || len(v) > MaxValueLen {
			return nil, fmt.Errorf("%w: a value of %d bytes, want 1 to %d", ErrBadChallenge, len(v), MaxValueLen)
		}
	}
	values := slices.Clone(c.Values)
	slices.Sort(values)
	values = slices.Compact(values)
	current := slices.Clone(s.Challenge)
	slices.Sort(current)
	if slices.Equal(values, current) {
		return nil, nil
	}
	return []events.Payload{ChallengeSet{Values: values}}, nil
}

// ClearChallenge removes the challenge values.
type ClearChallenge struct{}

// Decide: nothing when there are none.
func (ClearChallenge) Decide(s State) ([]events.Payload, error) {
	if len(s.Challenge) == 0 {
		return nil, nil
	}
	return []events.Payload{ChallengeCleared{}}, nil
}
