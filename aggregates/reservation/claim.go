package reservation

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// Claim takes the name for Owner.
type Claim struct {
	Owner naming.ID
}

// Decide: a free name is claimed; a name Owner already holds decides
// nothing; a name another owner holds is ErrTaken.
func (c Claim) Decide(s State) ([]events.Payload, error) {
	switch {
	case !s.Held():
		//lint:ignore S1016 a command and its event are separate types that may diverge
		return []events.Payload{Claimed{Owner: c.Owner}}, nil
	case s.Owner == c.Owner:
		return nil, nil
	}
	return nil, fmt.Errorf("claim for %s: %w", c.Owner, ErrTaken)
}
