package subscription

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/events"
)

// OpenTrial opens the tenant's trial, as the process manager does on
// tenant.created and the reconcile does for a live tenant without one.
type OpenTrial struct {
	// Entitlement is normally plan.Trial.
	Entitlement plan.Entitlement
	Now         time.Time
}

// Decide: only for a tenant that never had a subscription; the trial
// expires TrialPeriod after Now. Otherwise it decides nothing (a closed
// trial is never reopened): the caller tells the cases apart with
// State.Exists or by whether anything was stored.
func (c OpenTrial) Decide(s State) ([]events.Payload, error) {
	if s.Exists() {
		return nil, nil
	}
	return []events.Payload{TrialOpened{Entitlement: c.Entitlement, ExpiresAt: c.Now.Add(TrialPeriod)}}, nil
}
