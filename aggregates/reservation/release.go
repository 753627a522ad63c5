package reservation

import (
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// Release frees the name Owner holds.
type Release struct {
	Owner naming.ID
}

// Decide: only the owner releases. When the name is free or held by
// someone else (a redelivered release after the name changed hands), it
// decides nothing, so the release never blocks the append it is part of.
func (c Release) Decide(s State) ([]events.Payload, error) {
	if !s.HeldBy(c.Owner) {
		return nil, nil
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{Released{Owner: c.Owner}}, nil
}
