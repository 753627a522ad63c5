package network_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestIssueUpdateCredential(t *testing.T) {
	cmd := network.IssueUpdateCredential{CredentialID: cred1, Kind: network.CredentialUpdate, Username: "home-lab-a1b2c3d4", SecretHash: hash}
	with := func(f func(*network.IssueUpdateCredential)) network.IssueUpdateCredential {
		c := cmd
		f(&c)
		return c
	}
	// full holds MaxCredentials live update credentials (and one revoked).
	full := []events.Payload{registered, issued(ids.New[ids.CredentialID](), network.CredentialUpdate, "old")}
	full = append(full, network.UpdateCredentialRevoked{CredentialID: full[1].(network.UpdateCredentialIssued).CredentialID})
	for i := range network.MaxCredentials {
		full = append(full, issued(ids.New[ids.CredentialID](), network.CredentialUpdate, fmt.Sprintf("home-lab-%08d", i)))
	}
	want := []events.Payload{issued(cred1, network.CredentialUpdate, "home-lab-a1b2c3d4")}
	started := network.DeprovisioningStarted{Reason: network.ReasonUser}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "provisioning", Given: []events.Payload{registered}, Cmd: cmd, Want: want},
		{Name: "active", Given: []events.Payload{registered, network.Activated{}}, Cmd: cmd, Want: want},
		{Name: "acme-dns account", Given: []events.Payload{registered}, Cmd: with(func(c *network.IssueUpdateCredential) {
			c.Kind, c.Username = network.CredentialACMEDNS, string(cred1)
		}), Want: []events.Payload{issued(cred1, network.CredentialACMEDNS, string(cred1))}},
		{Name: "at the limit", Given: full, Cmd: cmd, Err: network.ErrCredentialLimit},
		{Name: "the limit is per kind", Given: full, Cmd: with(func(c *network.IssueUpdateCredential) {
			c.Kind, c.Username = network.CredentialACMEDNS, string(cred1)
		}), Want: []events.Payload{issued(cred1, network.CredentialACMEDNS, string(cred1))}},
		{Name: "below the limit after a revocation", Given: append(full[:len(full):len(full)],
			network.UpdateCredentialRevoked{CredentialID: full[3].(network.UpdateCredentialIssued).CredentialID}), Cmd: cmd, Want: want},
		{Name: "id taken", Given: []events.Payload{registered, issued(cred1, network.CredentialUpdate, "other")}, Cmd: cmd, Err: network.ErrCredentialExists},
		{Name: "username taken", Given: []events.Payload{registered, issued(cred2, network.CredentialUpdate, cmd.Username)}, Cmd: cmd, Err: network.ErrCredentialExists},
		{Name: "a revoked username is free", Given: []events.Payload{registered, issued(cred2, network.CredentialUpdate, cmd.Username),
			network.UpdateCredentialRevoked{CredentialID: cred2}}, Cmd: cmd, Want: want},
		{Name: "deprovisioning", Given: []events.Payload{registered, started}, Cmd: cmd, Err: network.ErrWrongState},
		{Name: "deprovisioned", Given: []events.Payload{registered, started, network.Deprovisioned{}}, Cmd: cmd, Err: network.ErrWrongState},
		{Name: "not registered", Cmd: cmd, Err: network.ErrWrongState},
		{Name: "no id", Given: []events.Payload{registered}, Cmd: with(func(c *network.IssueUpdateCredential) { c.CredentialID = "" }), Err: aggregatetest.ErrAny},
		{Name: "no username", Given: []events.Payload{registered}, Cmd: with(func(c *network.IssueUpdateCredential) { c.Username = "" }), Err: aggregatetest.ErrAny},
		{Name: "colon in username", Given: []events.Payload{registered}, Cmd: with(func(c *network.IssueUpdateCredential) { c.Username = "a:b" }), Err: aggregatetest.ErrAny},
		{Name: "unknown kind", Given: []events.Payload{registered}, Cmd: with(func(c *network.IssueUpdateCredential) { c.Kind = "admin" }), Err: aggregatetest.ErrAny},
		{Name: "a sha256 secret hash", Given: []events.Payload{registered}, Cmd: with(func(c *network.IssueUpdateCredential) {
			c.SecretHash = "$sha256$47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
		}), Want: []events.Payload{network.UpdateCredentialIssued{CredentialID: cred1, Kind: network.CredentialUpdate,
			Username: cmd.Username, SecretHash: "$sha256$47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"}}},
		{Name: "not a hash", Given: []events.Payload{registered}, Cmd: with(func(c *network.IssueUpdateCredential) { c.SecretHash = "hunter2" }), Err: aggregatetest.ErrAny},
	})
}

// CanIssue answers before a secret is hashed what Decide would refuse for
// the network's state: not live, or at the kind's limit.
func TestCanIssue(t *testing.T) {
	full := []events.Payload{registered}
	for i := range network.MaxCredentials {
		full = append(full, issued(ids.New[ids.CredentialID](), network.CredentialUpdate, fmt.Sprintf("home-lab-%08d", i)))
	}
	started := network.DeprovisioningStarted{Reason: network.ReasonUser}
	for _, tc := range []struct {
		name  string
		given []events.Payload
		kind  network.CredentialKind
		want  error
	}{
		{"provisioning", []events.Payload{registered}, network.CredentialUpdate, nil},
		{"at the limit", full, network.CredentialUpdate, network.ErrCredentialLimit},
		{"the limit is per kind", full, network.CredentialACMEDNS, nil},
		{"deprovisioning", []events.Payload{registered, started}, network.CredentialUpdate, network.ErrWrongState},
		{"not registered", nil, network.CredentialUpdate, network.ErrWrongState},
	} {
		err := fold(tc.given...).CanIssue(tc.kind)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
