package report

import (
	"fmt"
	"slices"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// AddAccountChallenge adds one value to an acme-dns account's challenge
// values and keeps at most Keep of them, dropping the oldest: acme-dns's
// rolling update, where keeping two lets a certificate for both a name and
// its wildcard validate (their two challenges are at the same name). Each
// account has values of its own, apart from the daemon's and the other
// accounts'.
type AddAccountChallenge struct {
	// CredentialID is the account's: an update credential of kind
	// acme_dns of the network, which the caller checked is live.
	CredentialID ids.CredentialID
	Value        string
	Keep         int
}

// Decide returns AccountChallengeSet with the account's newest Keep-1
// values and Value, oldest first; nothing when Value is among the account's
// values already (the daemon's and other accounts' do not count); and
// ErrBadChallenge for an empty or too long value, a Keep outside 1 to
// MaxValues or a credential id that is not one.
func (c AddAccountChallenge) Decide(s State) ([]events.Payload, error) {
	if _, err := ids.Parse[ids.CredentialID](c.CredentialID.String()); err != nil {
		return nil, fmt.Errorf("%w: account: %w", ErrBadChallenge, err)
	}
	if c.Keep < 1 || c.Keep > MaxValues {
		return nil, fmt.Errorf("%w: keep %d values, want 1 to %d", ErrBadChallenge, c.Keep, MaxValues)
	}
	if c.Value == "" || len(c.Value) > MaxValueLen {
		return nil, fmt.Errorf("%w: a value of %d bytes, want 1 to %d", ErrBadChallenge, len(c.Value), MaxValueLen)
	}
	current := s.Accounts[c.CredentialID]
	if slices.Contains(current, c.Value) {
		return nil, nil
	}
	kept := current[max(0, len(current)-(c.Keep-1)):]
	values := append(slices.Clone(kept), c.Value)
	return []events.Payload{AccountChallengeSet{CredentialID: c.CredentialID, Values: values}}, nil
}
