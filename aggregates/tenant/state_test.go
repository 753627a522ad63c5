package tenant_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEvolveLifecycle(t *testing.T) {
	t.Parallel()
	if s := given(); s.Exists() || s.Live() || s.Status != "" {
		t.Fatalf("initial state %+v exists", s)
	}

	s := given(with(created,
		tenant.NetworkAdded{NetworkID: net2},
		tenant.NetworkAdded{NetworkID: net1},
		tenant.DaemonAdded{RegistrationID: daemon1},
		tenant.DaemonAdded{RegistrationID: daemon2},
		events.Unknown{Type: "wardnet.tenant.renamed", Version: 1, Raw: json.RawMessage(`{}`)},
	)...)
	if !s.Exists() || !s.Live() || s.ID != tenantID || s.Email != sealed {
		t.Fatalf("created state %+v", s)
	}
	if got := s.NetworkIDs(); !slices.Equal(got, []ids.NetworkID{net1, net2}) {
		t.Fatalf("networks %v, want sorted [net1 net2]", got)
	}
	if got := s.RegistrationIDs(); !slices.Equal(got, []ids.RegistrationID{daemon1, daemon2}) {
		t.Fatalf("daemons %v", got)
	}

	s = tenant.Evolve(s, events.Record{Data: tenant.Deregistered{}})
	if !s.Exists() || s.Live() || s.Status != tenant.StatusDeregistered {
		t.Fatalf("deregistered state %+v", s)
	}
	if !s.HasNetwork(net1) || !s.HasDaemon(daemon2) {
		t.Fatal("deregistration dropped networks or daemons; they count until removed")
	}
	for _, p := range []events.Payload{
		tenant.NetworkRemoved{NetworkID: net1},
		tenant.NetworkRemoved{NetworkID: net2},
		tenant.DaemonRemoved{RegistrationID: daemon1},
		tenant.Swept{},
	} {
		s = tenant.Evolve(s, events.Record{Data: p})
	}
	if s.Status != tenant.StatusSwept || s.Live() || !s.Exists() || s.HasNetwork(net1) || s.HasDaemon(daemon1) || !s.HasDaemon(daemon2) {
		t.Fatalf("swept state %+v", s)
	}
}

// A zero State (as a snapshot of an empty map might decode) evolves without
// panicking on nil maps.
func TestEvolveZeroState(t *testing.T) {
	t.Parallel()
	s := tenant.Evolve(tenant.State{}, events.Record{Data: tenant.NetworkAdded{NetworkID: net1}})
	if !s.HasNetwork(net1) {
		t.Fatalf("state %+v", s)
	}
}

// Snapshots store State as JSON: it must come back equal.
func TestStateJSONRoundTrip(t *testing.T) {
	t.Parallel()
	aggregatetest.JSONRoundTrip(t,
		tenant.Initial(),
		given(with(created, tenant.NetworkAdded{NetworkID: net1}, tenant.DaemonAdded{RegistrationID: daemon1}, tenant.Deregistered{})...),
	)
}
