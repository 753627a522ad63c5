package dns

import (
	"fmt"
	"slices"

	"github.com/wardnet/wardnet-cloud/events"
)

// AddChallenge adds one value to the challenge and keeps at most Keep
// values, dropping the oldest: acme-dns's rolling update, where keeping two
// lets a certificate for both a name and its wildcard validate (their two
// challenges are at the same name).
type AddChallenge struct {
	Value string
	Keep  int
}

// Decide returns ChallengeSet with the newest Keep-1 values of the
// challenge and Value (sorted, as SetChallenge decides them), nothing when
// Value is among the values already, and ErrBadChallenge for an empty or
// too long value or a Keep outside 1 to MaxValues.
func (c AddChallenge) Decide(s State) ([]events.Payload, error) {
	if c.Keep < 1 || c.Keep > MaxValues {
		return nil, fmt.Errorf("%w: keep %d values, want 1 to %d", ErrBadChallenge, c.Keep, MaxValues)
	}
	if c.Value == "" || len(c.Value) > MaxValueLen {
		return nil, fmt.Errorf("%w: a value of %d bytes, want 1 to %d", ErrBadChallenge, len(c.Value), MaxValueLen)
	}
	if slices.Contains(s.Challenge, c.Value) {
		return nil, nil
	}
	kept := s.Challenge[max(0, len(s.Challenge)-(c.Keep-1)):]
	values := append(slices.Clone(kept), c.Value)
	slices.Sort(values)
	return []events.Payload{ChallengeSet{Values: values}}, nil
}
