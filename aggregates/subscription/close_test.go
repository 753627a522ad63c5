package subscription_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestClose(t *testing.T) {
	t.Parallel()
	closeFor := func(r subscription.Reason) subscription.Close { return subscription.Close{Reason: r} }
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never had one", Cmd: closeFor(subscription.ReasonDeregistered)},
		{Name: "open", Given: []events.Payload{opened}, Cmd: closeFor(subscription.ReasonDeregistered), Want: []events.Payload{subscription.Closed{Reason: subscription.ReasonDeregistered}}},
		{Name: "expired but open", Given: []events.Payload{opened}, Cmd: closeFor(subscription.ReasonExpired), Want: []events.Payload{subscription.Closed{Reason: subscription.ReasonExpired}}},
		{Name: "closed already", Given: []events.Payload{opened, subscription.Closed{Reason: subscription.ReasonExpired}}, Cmd: closeFor(subscription.ReasonDeregistered)},
	})
}
