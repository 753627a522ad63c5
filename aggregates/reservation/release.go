package reservation

import "github.com/wardnet/wardnet-cloud/events"

// Release frees the name Owner holds.
type Release[O Owner] struct {
	Owner O
}

// Decide: only the owner releases. When the name is free or held by
// someone else (a redelivered release after the name changed hands), it
// decides nothing, so the release never blocks the append it is part of.
func (c Release[O]) Decide(s State[O]) ([]events.Payload, error) {
	if !s.HeldBy(c.Owner) {
		return nil, nil
	}
	return []events.Payload{Released{Owner: string(c.Owner)}}, nil
}
