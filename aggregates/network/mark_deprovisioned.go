package network

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// MarkDeprovisioned records that no DNS record of the network is left. The
// DNS projector decides it.
type MarkDeprovisioned struct{}

// Decide returns Deprovisioned from deprovisioning, nothing when already
// deprovisioned, and ErrWrongState otherwise.
func (MarkDeprovisioned) Decide(s State) ([]events.Payload, error) {
	switch s.Status {
	case StatusDeprovisioning:
		return []events.Payload{Deprovisioned{}}, nil
	case StatusDeprovisioned:
		return nil, nil
	}
	return nil, fmt.Errorf("mark network deprovisioned (%s): %w", s.statusName(), ErrWrongState)
}
