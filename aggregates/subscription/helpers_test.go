package subscription_test

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

const tenantID = "6f1c2a34-0d5e-4b7a-9c1d-2e3f4a5b6c7d"

var (
	now     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	expires = now.Add(subscription.TrialPeriod)
	opened  = subscription.TrialOpened{Entitlement: plan.Trial, ExpiresAt: expires}
)

type decideCase = aggregatetest.DecideCase[subscription.State]

// given folds a history into a state, as a load does.
func given(history ...events.Payload) subscription.State {
	return aggregatetest.Fold(subscription.Initial(), subscription.Evolve, history...)
}
