package subscription_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
)

// Every event goes through the catalogue's codec unchanged, under the
// ce-type and with the JSON fields of docs/tenants.md.
func TestEventsRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.CheckCatalog(t, subscription.Register, []aggregatetest.EventCase{
		{Event: opened, Type: "wardnet.subscription.trial_opened", JSON: `{"entitlement":{"max_networks":1,"max_daemons":1},"expires_at":"2026-04-30T12:00:00Z"}`},
		{Event: subscription.Closed{Reason: subscription.ReasonDeregistered}, Type: "wardnet.subscription.closed", JSON: `{"reason":"deregistered"}`},
	})
}
