package tenant

import (
	"errors"

	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: events live on wardnet.ev.tenant.<tenant id>.
const Type = "tenant"

// StateVersion is the version of State's JSON encoding (snapshots).
const StateVersion = 1

// Errors of the tenant's commands. Decide wraps them with context; match
// them with errors.Is.
var (
	// ErrNotFound: the command needs a tenant that was never created.
	ErrNotFound = errors.New("tenant: not found")
	// ErrExists: Create on a tenant id that already has events.
	ErrExists = errors.New("tenant: already exists")
	// ErrClosed: the tenant is deregistered or swept.
	ErrClosed = errors.New("tenant: account is closed")
	// ErrNetworkLimit: the tenant holds max_networks networks already.
	ErrNetworkLimit = errors.New("tenant: network limit reached")
	// ErrDaemonLimit: the tenant holds max_daemons daemons already.
	ErrDaemonLimit = errors.New("tenant: daemon limit reached")
	// ErrNotDeregistered: Sweep on a live tenant.
	ErrNotDeregistered = errors.New("tenant: not deregistered")
	// ErrNetworksRemain: Sweep while a network has not been removed.
	ErrNetworksRemain = errors.New("tenant: networks remain")
)

// Register adds every event of the tenant aggregate to c, at version 1.
func Register(c *events.Catalog) {
	events.Register[Created](c, 1)
	events.Register[Deregistered](c, 1)
	events.Register[NetworkAdded](c, 1)
	events.Register[NetworkRemoved](c, 1)
	events.Register[DaemonAdded](c, 1)
	events.Register[DaemonRemoved](c, 1)
	events.Register[Swept](c, 1)
}
