package subscription_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestOpenTrial(t *testing.T) {
	t.Parallel()
	cmd := subscription.OpenTrial{Entitlement: naming.TrialEntitlement, Now: now}
	runDecide(t, []decideCase{
		{name: "never had one", cmd: cmd, want: []events.Payload{opened}},
		{name: "open already", given: []events.Payload{opened}, cmd: cmd},
		{name: "closed trial is never reopened", given: []events.Payload{opened, subscription.Closed{Reason: subscription.ReasonExpired}}, cmd: subscription.OpenTrial{Entitlement: naming.TrialEntitlement, Now: now.Add(90 * 24 * time.Hour)}},
		{
			name: "entitlement as given",
			cmd:  subscription.OpenTrial{Entitlement: naming.Entitlement{MaxNetworks: 3, MaxDaemons: 5}, Now: now},
			want: []events.Payload{subscription.TrialOpened{Entitlement: naming.Entitlement{MaxNetworks: 3, MaxDaemons: 5}, ExpiresAt: expires}},
		},
	})
}
