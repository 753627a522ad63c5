package daemon

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
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
	TenantID  naming.ID        `json:"tenant_id"`
	PublicKey naming.DaemonKey `json:"public_key"`
	ExpiresAt time.Time        `json:"expires_at"`
}

// EventType implements events.Payload.
func (Enrolled) EventType() string { return "wardnet.daemon.enrolled" }

// Registered: the key was registered as daemon DaemonID of a network.
type Registered struct {
	DaemonID  naming.ID `json:"daemon_id"`
	TenantID  naming.ID `json:"tenant_id"`
	NetworkID naming.ID `json:"network_id"`
}

// EventType implements events.Payload.
func (Registered) EventType() string { return "wardnet.daemon.registered" }

// Removed: the daemon left its network; the key is no longer registered.
type Removed struct {
	DaemonID  naming.ID `json:"daemon_id"`
	NetworkID naming.ID `json:"network_id"`
	Reason    Reason    `json:"reason"`
}

// EventType implements events.Payload.
func (Removed) EventType() string { return "wardnet.daemon.removed" }

// Register adds every event of the package to c, at schema version 1.
func Register(c *events.Catalog) {
	events.Register[Enrolled](c, 1)
	events.Register[Registered](c, 1)
	events.Register[Removed](c, 1)
}
