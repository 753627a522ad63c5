package daemon

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: a key's events are on
// wardnet.ev.daemon.<key fingerprint>.
const Type = "daemon"

// StateVersion is the version of State's JSON encoding (snapshots).
const StateVersion = 1

// Enrolled: the key was enrolled for a tenant, pending registration until
// ExpiresAt.
type Enrolled struct {
	TenantID  ids.TenantID  `json:"tenant_id"`
	PublicKey ids.DaemonKey `json:"public_key"`
	ExpiresAt time.Time     `json:"expires_at"`
}

// EventType implements events.Payload.
func (Enrolled) EventType() string { return "wardnet.daemon.enrolled" }

// Registered: the key was registered with a network, where the daemon is
// RegistrationID.
type Registered struct {
	RegistrationID ids.RegistrationID `json:"daemon_id"`
	TenantID       ids.TenantID       `json:"tenant_id"`
	NetworkID      ids.NetworkID      `json:"network_id"`
}

// EventType implements events.Payload.
func (Registered) EventType() string { return "wardnet.daemon.registered" }

// Removed: the daemon left its network; the key is no longer registered.
type Removed struct {
	RegistrationID ids.RegistrationID `json:"daemon_id"`
	NetworkID      ids.NetworkID      `json:"network_id"`
	Reason         Reason             `json:"reason"`
}

// EventType implements events.Payload.
func (Removed) EventType() string { return "wardnet.daemon.removed" }

// Register adds every event of the package to c, at schema version 1.
func Register(c *events.Catalog) {
	events.Register[Enrolled](c, 1)
	events.Register[Registered](c, 1)
	events.Register[Removed](c, 1)
}
