package report

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: a network's reports are on
// wardnet.ev.dns.<network id>.
const Type = "dns"

// StateVersion is the version of State's JSON encoding (snapshots). 2:
// Challenge is oldest first. 3: Challenge is the daemon's alone, Accounts
// the acme-dns accounts'.
const StateVersion = 3

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
	events.Register[AccountChallengeSet](c, 1)
}

// AddressReported is the daemon's new public address of one family.
type AddressReported struct {
	Address netip.Addr `json:"address"`
}

// EventType implements events.Payload.
func (AddressReported) EventType() string { return "wardnet.dns.address_reported" }

// ChallengeSet replaces the daemon's ACME challenge values (PUT
// /v1/acme-challenge). Before AccountChallengeSet, acme-dns updates were
// ChallengeSet events too; they count as the daemon's.
type ChallengeSet struct {
	Values []string `json:"values"`
}

// EventType implements events.Payload.
func (ChallengeSet) EventType() string { return "wardnet.dns.challenge_set" }

// ChallengeCleared removes the daemon's challenge values (an acme-dns
// account's stay).
type ChallengeCleared struct{}

// EventType implements events.Payload.
func (ChallengeCleared) EventType() string { return "wardnet.dns.challenge_cleared" }

// AccountChallengeSet replaces the challenge values of one acme-dns
// account (an update credential of kind acme_dns of the network): Values
// are the account's, oldest first, the newest last.
type AccountChallengeSet struct {
	CredentialID ids.CredentialID `json:"credential_id"`
	Values       []string         `json:"values"`
}

// EventType implements events.Payload.
func (AccountChallengeSet) EventType() string { return "wardnet.dns.account_challenge_set" }

// State is what the network's daemon and acme-dns accounts last reported.
// Its JSON is what snapshots store.
//
// The challenge values are kept apart by source, so that neither replaces
// the other's: the name _acme-challenge.<slug>.<zone> publishes them all
// (projectors/dns), less those of accounts revoked since, which this
// aggregate does not see.
type State struct {
	IPv4 netip.Addr `json:"ipv4,omitzero"`
	IPv6 netip.Addr `json:"ipv6,omitzero"`
	// Challenge holds the daemon's challenge values, as its last
	// ChallengeSet gave them (sorted).
	Challenge []string `json:"challenge,omitempty"`
	// Accounts holds each acme-dns account's values, oldest first, by its
	// credential id.
	Accounts map[ids.CredentialID][]string `json:"accounts,omitempty"`
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
		s.Challenge = slices.Compact(slices.Sorted(slices.Values(e.Values)))
	case ChallengeCleared:
		s.Challenge = nil
	case AccountChallengeSet:
		// A copy: the state before keeps its map.
		accounts := maps.Clone(s.Accounts)
		if accounts == nil {
			accounts = map[ids.CredentialID][]string{}
		}
		accounts[e.CredentialID] = slices.Clone(e.Values)
		s.Accounts = accounts
	}
	return s
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

// SetChallenge replaces the daemon's challenge values.
type SetChallenge struct {
	Values []string
}

// Decide: 1 to MaxValues non-empty values of at most MaxValueLen bytes,
// else ErrBadChallenge; the values the daemon already has (in any order)
// decide nothing. The acme-dns accounts' values are not the daemon's: they
// neither count here nor change.
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
	if slices.Equal(values, s.Challenge) { // both sorted
		return nil, nil
	}
	return []events.Payload{ChallengeSet{Values: values}}, nil
}

// ClearChallenge removes the daemon's challenge values.
type ClearChallenge struct{}

// Decide: nothing when the daemon has none (whatever the accounts have).
func (ClearChallenge) Decide(s State) ([]events.Payload, error) {
	if len(s.Challenge) == 0 {
		return nil, nil
	}
	return []events.Payload{ChallengeCleared{}}, nil
}
