package subscription_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestOpenTrial(t *testing.T) {
	t.Parallel()
	cmd := subscription.OpenTrial{Entitlement: plan.Trial, Now: now}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never had one", Cmd: cmd, Want: []events.Payload{opened}},
		{Name: "open already", Given: []events.Payload{opened}, Cmd: cmd},
		{Name: "closed trial is never reopened", Given: []events.Payload{opened, subscription.Closed{Reason: subscription.ReasonExpired}}, Cmd: subscription.OpenTrial{Entitlement: plan.Trial, Now: now.Add(90 * 24 * time.Hour)}},
		{
			Name: "entitlement as given",
			Cmd:  subscription.OpenTrial{Entitlement: plan.Entitlement{MaxNetworks: 3, MaxDaemons: 5}, Now: now},
			Want: []events.Payload{subscription.TrialOpened{Entitlement: plan.Entitlement{MaxNetworks: 3, MaxDaemons: 5}, ExpiresAt: expires}},
		},
	})
}
