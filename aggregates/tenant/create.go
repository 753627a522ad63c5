package tenant

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

// Create opens a new tenant. The caller has claimed the email's reservation
// in the same append and sealed the email with the tenant's data key.
type Create struct {
	TenantID ids.TenantID
	Email    personal.Sealed
}

// Decide: only a tenant without events can be created.
func (c Create) Decide(s State) ([]events.Payload, error) {
	if s.Exists() {
		return nil, fmt.Errorf("create tenant %s: %w", c.TenantID, ErrExists)
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{Created{TenantID: c.TenantID, Email: c.Email}}, nil
}
