package network_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEvolveLifecycle(t *testing.T) {
	s := fold(registered)
	want := network.State{
		TenantID: tenant, Slug: "home-lab", DisplayName: "Home lab", Region: "local",
		Status: network.StatusProvisioning, Created: t0,
		Daemons:     map[ids.RegistrationID]ids.DaemonKey{daemon1: key1},
		Credentials: map[ids.CredentialID]network.Credential{},
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("registered: %+v, want %+v", s, want)
	}
	if !s.Exists() || !s.Live() || !s.HasDaemon(daemon1) || s.HasDaemon(daemon2) {
		t.Fatalf("queries after registration: %+v", s)
	}
	if got := s.Daemons[daemon1].Fingerprint(); got != key1.Fingerprint() {
		t.Fatalf("fingerprint %s", got)
	}

	steps := []struct {
		event      events.Payload
		status     network.Status
		live       bool
		hasDaemon1 bool
	}{
		{network.Activated{}, network.StatusActive, true, true},
		{network.DeprovisioningStarted{Reason: network.ReasonUser}, network.StatusDeprovisioning, false, true},
		{network.Deprovisioned{}, network.StatusDeprovisioned, false, true},
		{network.DaemonUnbound{RegistrationID: daemon1}, network.StatusDeprovisioned, false, false},
		{events.Unknown{Type: "wardnet.network.renamed", Version: 1, Raw: json.RawMessage(`{}`)}, network.StatusDeprovisioned, false, false},
	}
	given := []events.Payload{registered}
	for _, st := range steps {
		given = append(given, st.event)
		s := fold(given...)
		if s.Status != st.status || s.Live() != st.live || s.HasDaemon(daemon1) != st.hasDaemon1 || !s.Exists() {
			t.Fatalf("after %T: status %s live %v daemon %v", st.event, s.Status, s.Live(), s.HasDaemon(daemon1))
		}
		if !s.Created.Equal(t0) || s.Slug != "home-lab" {
			t.Fatalf("after %T: registration facts changed: %+v", st.event, s)
		}
	}
}

func TestInitial(t *testing.T) {
	a, b := network.Initial(), network.Initial()
	a.Daemons[daemon1] = key1
	if len(b.Daemons) != 0 {
		t.Fatal("Initial shares its map")
	}
	if b.Exists() || b.Live() {
		t.Fatalf("initial state exists: %+v", b)
	}
	// A zero State (a snapshot that lost its map) still evolves.
	if s := network.Evolve(network.State{}, events.Record{Data: registered}); !s.HasDaemon(daemon1) {
		t.Fatal("Evolve on zero State lost the daemon")
	}
}

func TestStateJSON(t *testing.T) {
	s := fold(registered, network.Activated{}, issued(cred1, network.CredentialUpdate, "home-lab-a1b2c3d4"))
	s.Daemons[daemon2] = key2
	aggregatetest.JSONRoundTrip(t, s, network.Initial())
}

// Credentials live from their issue to their revocation, with the log's
// time of the issue; the network's lifecycle does not touch them (they
// authenticate only while it is live, which callers check).
func TestEvolveCredentials(t *testing.T) {
	s := fold(registered,
		issued(cred1, network.CredentialUpdate, "home-lab-a1b2c3d4"),
		issued(cred2, network.CredentialACMEDNS, string(cred2)),
		network.UpdateCredentialRevoked{CredentialID: cred1},
		network.DeprovisioningStarted{Reason: network.ReasonUser})
	want := map[ids.CredentialID]network.Credential{
		cred2: {Kind: network.CredentialACMEDNS, Username: string(cred2), Issued: t0.Add(2 * time.Minute)},
	}
	if !reflect.DeepEqual(s.Credentials, want) {
		t.Fatalf("credentials %+v, want %+v", s.Credentials, want)
	}
	if s.HasCredential(cred1, network.CredentialUpdate) || !s.HasCredential(cred2, network.CredentialACMEDNS) ||
		s.HasCredential(cred2, network.CredentialUpdate) {
		t.Fatalf("HasCredential disagrees with %+v", s.Credentials)
	}
	// A snapshot of version 1 has no credentials: it still evolves.
	if s := network.Evolve(network.State{}, events.Record{Data: issued(cred1, network.CredentialUpdate, "u")}); len(s.Credentials) != 1 {
		t.Fatal("Evolve on zero State lost the credential")
	}
}
