package tenant

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// Sweep ends a deregistered tenant once its last network is removed; the
// caller then destroys the tenant's data key.
type Sweep struct{}

// Decide: the tenant must be deregistered and hold no network. A tenant
// already swept decides nothing, so the process manager and the periodic
// reconcile may both try.
func (Sweep) Decide(s State) ([]events.Payload, error) {
	switch {
	case !s.Exists():
		return nil, fmt.Errorf("sweep tenant: %w", ErrNotFound)
	case s.Status == StatusSwept:
		return nil, nil
	case s.Live():
		return nil, fmt.Errorf("sweep tenant %s: %w", s.ID, ErrNotDeregistered)
	case len(s.Networks) > 0:
		return nil, fmt.Errorf("sweep tenant %s: %d left: %w", s.ID, len(s.Networks), ErrNetworksRemain)
	}
	return []events.Payload{Swept{}}, nil
}
