package daemon_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestScope(t *testing.T) {
	removed := daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonSelf}
	expires := t0.Add(daemon.EnrollmentTTL)
	cases := []struct {
		name  string
		given []events.Payload
		now   time.Time
		want  daemon.Scope
	}{
		{"unknown", nil, t0, daemon.Scope{Kind: daemon.ScopeNone}},
		{"pending", []events.Payload{enrolled(tenantA, t0)}, t0, daemon.Scope{Kind: daemon.ScopeTenant, TenantID: tenantA}},
		{"pending, last moment", []events.Payload{enrolled(tenantA, t0)}, expires.Add(-time.Nanosecond), daemon.Scope{Kind: daemon.ScopeTenant, TenantID: tenantA}},
		{"pending expired", []events.Payload{enrolled(tenantA, t0)}, expires, daemon.Scope{Kind: daemon.ScopeNone}},
		{"re-enrolled", []events.Payload{enrolled(tenantA, t0), enrolled(tenantB, t0.Add(time.Hour))}, t0.Add(time.Hour), daemon.Scope{Kind: daemon.ScopeTenant, TenantID: tenantB}},
		{"registered", []events.Payload{enrolled(tenantA, t0), registeredIn(net1)}, t0.Add(48 * time.Hour),
			daemon.Scope{Kind: daemon.ScopeNetwork, TenantID: tenantA, NetworkID: net1, RegistrationID: registration}},
		{"removed", []events.Payload{enrolled(tenantA, t0), registeredIn(net1), removed}, t0, daemon.Scope{Kind: daemon.ScopeNone}},
		{"enrolled after removal", []events.Payload{enrolled(tenantA, t0), registeredIn(net1), removed, enrolled(tenantA, t0)}, t0,
			daemon.Scope{Kind: daemon.ScopeTenant, TenantID: tenantA}},
	}
	for _, tc := range cases {
		if got := fold(tc.given...).Scope(tc.now); got != tc.want {
			t.Errorf("%s: scope %+v, want %+v", tc.name, got, tc.want)
		}
	}
	for k, want := range map[daemon.ScopeKind]string{daemon.ScopeNone: "none", daemon.ScopeTenant: "tenant", daemon.ScopeNetwork: "network"} {
		if k.String() != want {
			t.Errorf("%d.String() = %s", k, k)
		}
	}
}

func TestEvolve(t *testing.T) {
	s := fold(enrolled(tenantA, t0))
	if s.Key != key || s.TenantID != tenantA || !s.PendingUntil.Equal(t0.Add(daemon.EnrollmentTTL)) || s.Registered() || !s.Pending(t0) {
		t.Fatalf("enrolled: %+v", s)
	}
	s = fold(enrolled(tenantA, t0), registeredIn(net1))
	if !s.Registered() || s.Pending(t0) || !s.PendingUntil.IsZero() || s.RegistrationID != registration || s.NetworkID != net1 {
		t.Fatalf("registered: %+v", s)
	}
	s = fold(enrolled(tenantA, t0), registeredIn(net1), daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonSelf},
		events.Unknown{Type: "wardnet.daemon.renamed", Version: 1, Raw: json.RawMessage(`{}`)})
	if s.Registered() || s.Pending(t0) || s.RegistrationID != "" || s.TenantID != tenantA || s.Key != key {
		t.Fatalf("removed: %+v", s)
	}
}

func TestStateJSON(t *testing.T) {
	aggregatetest.JSONRoundTrip(t,
		daemon.Initial(),
		fold(enrolled(tenantA, t0)),
		fold(enrolled(tenantA, t0), registeredIn(net1)),
	)
}
