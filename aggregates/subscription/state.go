package subscription

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/events"
)

// State is a tenant's subscription as its events tell it. Its JSON is what
// snapshots store: bump StateVersion when it changes meaning.
type State struct {
	// Opened is true once the tenant had a subscription, open or not.
	Opened bool `json:"opened,omitempty"`
	// Open is true while the subscription is not closed.
	Open bool `json:"open,omitempty"`
	// Granted is the last subscription's entitlement; see Entitlement.
	Granted   plan.Entitlement `json:"entitlement"`
	ExpiresAt time.Time        `json:"expires_at"`
	// ClosedFor is why the last subscription was closed.
	ClosedFor Reason `json:"closed_for,omitempty"`
}

// Initial is the state of a tenant that never had a subscription.
func Initial() State { return State{} }

// Evolve applies one event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	switch e := rec.Data.(type) {
	case TrialOpened:
		s = State{Opened: true, Open: true, Granted: e.Entitlement, ExpiresAt: e.ExpiresAt}
	case Closed:
		s.Open, s.ClosedFor = false, e.Reason
	}
	return s
}

// Exists reports whether the tenant ever had a subscription.
func (s State) Exists() bool { return s.Opened }

// Current reports whether a subscription is open, expired or not: it gates
// network registration.
func (s State) Current() bool { return s.Open }

// Active reports whether a subscription is open and now is before its
// expiry plus grace: it gates token minting.
func (s State) Active(now time.Time, grace time.Duration) bool {
	return s.Open && now.Before(s.ExpiresAt.Add(grace))
}

// Entitlement is what the open subscription allows; nothing when none is
// open.
func (s State) Entitlement() plan.Entitlement {
	if !s.Open {
		return plan.Entitlement{}
	}
	return s.Granted
}
