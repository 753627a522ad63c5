package subscription

import "github.com/wardnet/wardnet-cloud/events"

// Close ends the open subscription.
type Close struct {
	Reason Reason
}

// Decide: closes an open subscription; nothing when none is open.
func (c Close) Decide(s State) ([]events.Payload, error) {
	if !s.Current() {
		return nil, nil
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{Closed{Reason: c.Reason}}, nil
}
