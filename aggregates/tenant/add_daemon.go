package tenant

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// AddDaemon counts a newly registered daemon against the tenant's
// entitlement, in the append that registers it.
type AddDaemon struct {
	DaemonID naming.ID
	// Entitlement is the tenant's current subscription's; the zero value
	// (no subscription) allows nothing.
	Entitlement naming.Entitlement
}

// Decide: the tenant must be live and hold fewer than max_daemons daemons.
// A daemon already added decides nothing.
func (c AddDaemon) Decide(s State) ([]events.Payload, error) {
	if err := growable(s); err != nil {
		return nil, fmt.Errorf("add daemon %s: %w", c.DaemonID, err)
	}
	if s.HasDaemon(c.DaemonID) {
		return nil, nil
	}
	if len(s.Daemons) >= c.Entitlement.MaxDaemons {
		return nil, fmt.Errorf("add daemon %s: %d of %d: %w", c.DaemonID, len(s.Daemons), c.Entitlement.MaxDaemons, ErrDaemonLimit)
	}
	return []events.Payload{DaemonAdded{DaemonID: c.DaemonID}}, nil
}
