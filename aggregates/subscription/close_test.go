package subscription_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestClose(t *testing.T) {
	t.Parallel()
	closeFor := func(r subscription.Reason) subscription.Close { return subscription.Close{Reason: r} }
	runDecide(t, []decideCase{
		{name: "never had one", cmd: closeFor(subscription.ReasonDeregistered)},
		{name: "open", given: []events.Payload{opened}, cmd: closeFor(subscription.ReasonDeregistered), want: []events.Payload{subscription.Closed{Reason: subscription.ReasonDeregistered}}},
		{name: "expired but open", given: []events.Payload{opened}, cmd: closeFor(subscription.ReasonExpired), want: []events.Payload{subscription.Closed{Reason: subscription.ReasonExpired}}},
		{name: "closed already", given: []events.Payload{opened, subscription.Closed{Reason: subscription.ReasonExpired}}, cmd: closeFor(subscription.ReasonDeregistered)},
	})
}
