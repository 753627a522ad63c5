package subscription

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/plan"
)

// TrialOpened starts the tenant's one trial.
type TrialOpened struct {
	Entitlement plan.Entitlement `json:"entitlement"`
	ExpiresAt   time.Time        `json:"expires_at"`
}

// EventType implements events.Payload.
func (TrialOpened) EventType() string { return "wardnet.subscription.trial_opened" }

// Reason says why a subscription was closed.
type Reason string

// The reasons for closing known so far; billing will add more.
const (
	ReasonDeregistered Reason = "deregistered"
	ReasonExpired      Reason = "expired"
)

// Closed ends the open subscription; the tenant's networks are deprovisioned.
type Closed struct {
	Reason Reason `json:"reason"`
}

// EventType implements events.Payload.
func (Closed) EventType() string { return "wardnet.subscription.closed" }
