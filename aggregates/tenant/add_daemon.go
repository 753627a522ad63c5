package tenant

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/events"
)

// AddDaemon counts a newly registered daemon against the tenant's
// entitlement, in the append that registers it.
type AddDaemon struct {
	RegistrationID ids.RegistrationID
	// Entitlement is the tenant's current subscription's; the zero value
	// (no subscription) allows nothing.
	Entitlement plan.Entitlement
}

// Decide: the tenant must be live and hold fewer than max_daemons daemons.
// A daemon already added decides nothing.
func (c AddDaemon) Decide(s State) ([]events.Payload, error) {
	if err := growable(s); err != nil {
		return nil, fmt.Errorf("add daemon %s: %w", c.RegistrationID, err)
	}
	if s.HasDaemon(c.RegistrationID) {
		return nil, nil
	}
	if len(s.Daemons) >= c.Entitlement.MaxDaemons {
		return nil, fmt.Errorf("add daemon %s: %d of %d: %w", c.RegistrationID, len(s.Daemons), c.Entitlement.MaxDaemons, ErrDaemonLimit)
	}
	return []events.Payload{DaemonAdded{RegistrationID: c.RegistrationID}}, nil
}
