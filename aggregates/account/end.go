package account

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// End ends one session: the user logged out.
type End struct {
	SessionID ids.SessionID
}

// Decide returns SessionEnded, or nothing when the account holds no such
// session (unknown, ended, revoked or pruned).
func (c End) Decide(s State) ([]events.Payload, error) {
	if _, ok := s.Sessions[c.SessionID]; !ok {
		return nil, nil
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{SessionEnded{SessionID: c.SessionID}}, nil
}
