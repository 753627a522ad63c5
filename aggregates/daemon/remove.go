package daemon

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Remove takes the key out of its network: the daemon removed itself, or
// its network was deprovisioned.
type Remove struct {
	Reason Reason
	// NetworkID, when set, removes the key only from that network. The
	// process manager that removes a deprovisioned network's daemons sets
	// it, so that a late redelivery cannot remove the key from a network
	// it joined since.
	NetworkID ids.NetworkID
}

// Decide returns Removed, or nothing when the key is not registered (to
// NetworkID, when set).
func (c Remove) Decide(s State) ([]events.Payload, error) {
	if !c.Reason.valid() {
		return nil, fmt.Errorf("remove daemon: unknown reason %q", c.Reason)
	}
	if !s.Registered() || (c.NetworkID != "" && c.NetworkID != s.NetworkID) {
		return nil, nil
	}
	return []events.Payload{Removed{RegistrationID: s.RegistrationID, NetworkID: s.NetworkID, Reason: c.Reason}}, nil
}
