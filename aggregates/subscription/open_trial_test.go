package subscription_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestOpenTrial(t *testing.T) {
	t.Parallel()
	cmd := subscription.OpenTrial{Entitlement: naming.TrialEntitlement, Now: now}
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never had one", Cmd: cmd, Want: []events.Payload{opened}},
		{Name: "open already", Given: []events.Payload{opened}, Cmd: cmd},
		{Name: "closed trial is never reopened", Given: []events.Payload{opened, subscription.Closed{Reason: subscription.ReasonExpired}}, Cmd: subscription.OpenTrial{Entitlement: naming.TrialEntitlement, Now: now.Add(90 * 24 * time.Hour)}},
		{
			Name: "entitlement as given",
			Cmd:  subscription.OpenTrial{Entitlement: naming.Entitlement{MaxNetworks: 3, MaxDaemons: 5}, Now: now},
			Want: []events.Payload{subscription.TrialOpened{Entitlement: naming.Entitlement{MaxNetworks: 3, MaxDaemons: 5}, ExpiresAt: expires}},
		},
	})
}
