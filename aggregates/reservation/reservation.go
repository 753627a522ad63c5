package reservation

import (
	"errors"

	"github.com/wardnet/wardnet-cloud/events"
)

// The aggregate types of the two namespaces. Each needs its own
// aggregates.Kind (and Repository) built from Initial and Evolve for its
// owners' type: State[ids.NetworkID] for slugs, State[ids.TenantID] for
// emails.
const (
	// SlugType: wardnet.ev.slug.<slug>, owned by a network id.
	SlugType = "slug"
	// EmailType: wardnet.ev.email.<email index>, owned by a tenant id.
	EmailType = "email"
)

// StateVersion is the version of State's JSON encoding (snapshots).
const StateVersion = 1

// ErrTaken is returned by Claim when another owner holds the name.
var ErrTaken = errors.New("reservation: taken")

// Register adds the reservation events to c, at version 1. They are shared
// by both namespaces: register them once.
func Register(c *events.Catalog) {
	events.Register[Claimed](c, 1)
	events.Register[Released](c, 1)
}
