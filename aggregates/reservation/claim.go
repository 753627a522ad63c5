package reservation

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// Claim takes the name for Owner.
type Claim[O Owner] struct {
	Owner O
}

// Decide: a free name is claimed; a name Owner already holds decides
// nothing; a name another owner holds is ErrTaken.
func (c Claim[O]) Decide(s State[O]) ([]events.Payload, error) {
	switch {
	case !s.Held():
		return []events.Payload{Claimed{Owner: string(c.Owner)}}, nil
	case s.Owner == c.Owner:
		return nil, nil
	}
	return nil, fmt.Errorf("claim for %s: %w", c.Owner, ErrTaken)
}
