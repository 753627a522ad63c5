package subscription_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestQueries(t *testing.T) {
	t.Parallel()
	grace := subscription.DefaultGrace
	open := given(opened, events.Unknown{Type: "wardnet.subscription.renewed", Raw: json.RawMessage(`{}`)})
	closed := given(opened, subscription.Closed{Reason: subscription.ReasonDeregistered})
	cases := []struct {
		name        string
		s           subscription.State
		at          time.Time
		exists      bool
		current     bool
		active      bool
		entitlement plan.Entitlement
	}{
		{"never had one", subscription.Initial(), now, false, false, false, plan.Entitlement{}},
		{"trial", open, now, true, true, true, plan.Trial},
		{"after expiry, in grace", open, expires.Add(grace - time.Nanosecond), true, true, true, plan.Trial},
		{"grace ends", open, expires.Add(grace), true, true, false, plan.Trial},
		{"closed", closed, now, true, false, false, plan.Entitlement{}},
	}
	for _, tc := range cases {
		if got := tc.s.Exists(); got != tc.exists {
			t.Errorf("%s: Exists %v", tc.name, got)
		}
		if got := tc.s.Current(); got != tc.current {
			t.Errorf("%s: Current %v", tc.name, got)
		}
		if got := tc.s.Active(tc.at, grace); got != tc.active {
			t.Errorf("%s: Active %v", tc.name, got)
		}
		if got := tc.s.Entitlement(); got != tc.entitlement {
			t.Errorf("%s: Entitlement %+v", tc.name, got)
		}
	}
	if !open.Active(expires.Add(-time.Nanosecond), 0) || open.Active(expires, 0) {
		t.Error("without grace, Active should end at expires_at")
	}
	if closed.ClosedFor != subscription.ReasonDeregistered || closed.ExpiresAt != expires {
		t.Errorf("closed state %+v", closed)
	}
}

// Snapshots store State as JSON: it must come back equal.
func TestStateJSONRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.JSONRoundTrip(t,
		subscription.Initial(),
		given(opened),
		given(opened, subscription.Closed{Reason: subscription.ReasonExpired}),
	)
}
