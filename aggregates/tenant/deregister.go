package tenant

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// Deregister closes a live tenant's account.
type Deregister struct{}

// Decide: a live tenant is deregistered; one already deregistered or swept
// decides nothing (the API answers 202 again). A tenant that was never
// created is ErrNotFound.
func (Deregister) Decide(s State) ([]events.Payload, error) {
	if !s.Exists() {
		return nil, fmt.Errorf("deregister tenant: %w", ErrNotFound)
	}
	if !s.Live() {
		return nil, nil
	}
	return []events.Payload{Deregistered{}}, nil
}
