package network

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// Deprovision starts taking the network down.
type Deprovision struct {
	Reason Reason
}

// Decide returns DeprovisioningStarted from provisioning or active,
// nothing when the network is already deprovisioning or deprovisioned,
// and ErrWrongState when it does not exist.
func (c Deprovision) Decide(s State) ([]events.Payload, error) {
	if !c.Reason.valid() {
		return nil, fmt.Errorf("deprovision network: unknown reason %q", c.Reason)
	}
	switch s.Status {
	case StatusProvisioning, StatusActive:
		//lint:ignore S1016 a command and its event are separate types that may diverge
		return []events.Payload{DeprovisioningStarted{Reason: c.Reason}}, nil
	case StatusDeprovisioning, StatusDeprovisioned:
		return nil, nil
	}
	return nil, fmt.Errorf("deprovision network (%s): %w", s.statusName(), ErrWrongState)
}
