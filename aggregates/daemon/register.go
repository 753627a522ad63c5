package daemon

import (
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// RegisterDaemon registers the key with a network, where the daemon is
// RegistrationID (Register in docs/tenants.md; the name Register is the
// package's catalogue function). The application appends its event
// atomically with the network's registration.
type RegisterDaemon struct {
	RegistrationID ids.RegistrationID
	NetworkID      ids.NetworkID
	// TenantID is the caller's tenant, from its token.
	TenantID ids.TenantID
}

// Decide returns Registered when the key is not registered and its latest
// enrollment was for the caller's tenant. It does not require the
// enrollment to be unexpired: the tenant-scoped token the caller holds was
// minted from it, and the token's own expiry bounds it.
func (c RegisterDaemon) Decide(s State) ([]events.Payload, error) {
	if c.RegistrationID == "" || c.NetworkID == "" || c.TenantID == "" {
		return nil, errors.New("register daemon: daemon, network and tenant ids are required")
	}
	switch {
	case s.Registered():
		return nil, fmt.Errorf("register daemon in network %s: %w", c.NetworkID, ErrAlreadyRegistered)
	case s.TenantID == "":
		return nil, fmt.Errorf("register daemon in network %s: %w", c.NetworkID, ErrNotEnrolled)
	case s.TenantID != c.TenantID:
		return nil, fmt.Errorf("register daemon in network %s: %w", c.NetworkID, ErrOtherTenant)
	}
	return []events.Payload{Registered{RegistrationID: c.RegistrationID, TenantID: c.TenantID, NetworkID: c.NetworkID}}, nil
}
