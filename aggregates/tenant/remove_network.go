package tenant

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// RemoveNetwork stops counting a network once it is deprovisioned.
type RemoveNetwork struct {
	NetworkID ids.NetworkID
}

// Decide: whatever the tenant's status; nothing when the network is not
// counted (already removed, or never added).
func (c RemoveNetwork) Decide(s State) ([]events.Payload, error) {
	if !s.HasNetwork(c.NetworkID) {
		return nil, nil
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{NetworkRemoved{NetworkID: c.NetworkID}}, nil
}
