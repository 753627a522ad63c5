package tenant

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/events"
)

// AddNetwork counts a newly registered network against the tenant's
// entitlement, in the append that registers it.
type AddNetwork struct {
	NetworkID ids.NetworkID
	// Entitlement is the tenant's current subscription's; the zero value
	// (no subscription) allows nothing.
	Entitlement plan.Entitlement
}

// Decide: the tenant must be live and hold fewer than max_networks networks,
// deprovisioning ones included. A network already added decides nothing.
func (c AddNetwork) Decide(s State) ([]events.Payload, error) {
	if err := growable(s); err != nil {
		return nil, fmt.Errorf("add network %s: %w", c.NetworkID, err)
	}
	if s.HasNetwork(c.NetworkID) {
		return nil, nil
	}
	if len(s.Networks) >= c.Entitlement.MaxNetworks {
		return nil, fmt.Errorf("add network %s: %d of %d: %w", c.NetworkID, len(s.Networks), c.Entitlement.MaxNetworks, ErrNetworkLimit)
	}
	return []events.Payload{NetworkAdded{NetworkID: c.NetworkID}}, nil
}

// growable returns why the tenant cannot take a new network or daemon.
func growable(s State) error {
	switch {
	case !s.Exists():
		return ErrNotFound
	case !s.Live():
		return ErrClosed
	}
	return nil
}
