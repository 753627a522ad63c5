package network

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// Activate marks the network active once its DNS records are published.
// The DNS projector decides it.
type Activate struct{}

// Decide returns Activated from provisioning, nothing when already active,
// and ErrWrongState otherwise.
func (Activate) Decide(s State) ([]events.Payload, error) {
	switch s.Status {
	case StatusProvisioning:
		return []events.Payload{Activated{}}, nil
	case StatusActive:
		return nil, nil
	}
	return nil, fmt.Errorf("activate network (%s): %w", s.statusName(), ErrWrongState)
}
