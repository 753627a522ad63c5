package subscription

import (
	"time"

	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: events live on
// wardnet.ev.subscription.<tenant id>.
const Type = "subscription"

// StateVersion is the version of State's JSON encoding (snapshots).
const StateVersion = 1

// TrialPeriod is how long a trial runs from its opening.
const TrialPeriod = 60 * 24 * time.Hour

// DefaultGrace is how long after expiry a subscription still lets a tenant
// mint tokens (the grace argument of State.Active).
const DefaultGrace = 15 * 24 * time.Hour

// Register adds every event of the subscription aggregate to c, at version 1.
func Register(c *events.Catalog) {
	events.Register[TrialOpened](c, 1)
	events.Register[Closed](c, 1)
}
