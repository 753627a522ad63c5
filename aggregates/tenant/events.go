package tenant

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
)

// Created is the first event of a tenant.
type Created struct {
	TenantID ids.TenantID `json:"tenant_id"`
	// Email is sealed with the tenant's own data key, so the sweep shreds it.
	Email personal.Sealed `json:"email"`
}

// EventType implements events.Payload.
func (Created) EventType() string { return "wardnet.tenant.created" }

// Deregistered closes the account; the sweep follows once no network is left.
type Deregistered struct{}

// EventType implements events.Payload.
func (Deregistered) EventType() string { return "wardnet.tenant.deregistered" }

// NetworkAdded counts a registered network against the entitlement.
type NetworkAdded struct {
	NetworkID ids.NetworkID `json:"network_id"`
}

// EventType implements events.Payload.
func (NetworkAdded) EventType() string { return "wardnet.tenant.network_added" }

// NetworkRemoved stops counting a network, once it is deprovisioned.
type NetworkRemoved struct {
	NetworkID ids.NetworkID `json:"network_id"`
}

// EventType implements events.Payload.
func (NetworkRemoved) EventType() string { return "wardnet.tenant.network_removed" }

// DaemonAdded counts a registered daemon against the entitlement.
type DaemonAdded struct {
	RegistrationID ids.RegistrationID `json:"daemon_id"`
}

// EventType implements events.Payload.
func (DaemonAdded) EventType() string { return "wardnet.tenant.daemon_added" }

// DaemonRemoved stops counting a daemon.
type DaemonRemoved struct {
	RegistrationID ids.RegistrationID `json:"daemon_id"`
}

// EventType implements events.Payload.
func (DaemonRemoved) EventType() string { return "wardnet.tenant.daemon_removed" }

// Swept is the last event of a tenant: deregistered and without networks,
// its data key is destroyed next.
type Swept struct{}

// EventType implements events.Payload.
func (Swept) EventType() string { return "wardnet.tenant.swept" }
