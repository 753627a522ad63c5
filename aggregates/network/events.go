package network

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// Type is the aggregate type: a network's events are on
// wardnet.ev.network.<network id>.
const Type = "network"

// StateVersion is the version of State's JSON encoding (snapshots). 2:
// the update credentials.
const StateVersion = 2

// Registered: the network was registered with its first daemon.
type Registered struct {
	TenantID       ids.TenantID       `json:"tenant_id"`
	Slug           naming.Slug        `json:"slug"`
	DisplayName    string             `json:"display_name"`
	Region         naming.Region      `json:"region"`
	RegistrationID ids.RegistrationID `json:"daemon_id"`
	DaemonKey      ids.DaemonKey      `json:"daemon_key"`
}

// EventType implements events.Payload.
func (Registered) EventType() string { return "wardnet.network.registered" }

// Activated: the network's DNS records were published.
type Activated struct{}

// EventType implements events.Payload.
func (Activated) EventType() string { return "wardnet.network.activated" }

// DeprovisioningStarted: the network is being taken down; its DNS records
// are to be removed.
type DeprovisioningStarted struct {
	Reason Reason `json:"reason"`
}

// EventType implements events.Payload.
func (DeprovisioningStarted) EventType() string { return "wardnet.network.deprovisioning" }

// DaemonUnbound: a daemon left the network.
type DaemonUnbound struct {
	RegistrationID ids.RegistrationID `json:"daemon_id"`
}

// EventType implements events.Payload.
func (DaemonUnbound) EventType() string { return "wardnet.network.daemon_unbound" }

// Deprovisioned: no DNS record of the network is left.
type Deprovisioned struct{}

// EventType implements events.Payload.
func (Deprovisioned) EventType() string { return "wardnet.network.deprovisioned" }

// UpdateCredentialIssued: a credential for the network's stock clients
// (dyndns2, acme-dns) was issued. The secret itself was shown once to
// whoever asked for it and is not in the log: only its hash, which the
// ddns service verifies.
type UpdateCredentialIssued struct {
	CredentialID ids.CredentialID `json:"credential_id"`
	Kind         CredentialKind   `json:"kind"`
	Username     string           `json:"username"`
	// SecretHash is the secret's stored form (internal/passwords):
	// "$sha256$…" (HashSecret) since the secrets are drawn at random with
	// 240 bits or more; credentials issued before that have an argon2id
	// PHC string, which keeps verifying.
	SecretHash string `json:"secret_hash"`
}

// EventType implements events.Payload.
func (UpdateCredentialIssued) EventType() string { return "wardnet.network.update_credential_issued" }

// UpdateCredentialRevoked: the credential no longer authenticates anyone.
type UpdateCredentialRevoked struct {
	CredentialID ids.CredentialID `json:"credential_id"`
}

// EventType implements events.Payload.
func (UpdateCredentialRevoked) EventType() string { return "wardnet.network.update_credential_revoked" }

// Register adds every event of the package to c, at schema version 1.
func Register(c *events.Catalog) {
	events.Register[Registered](c, 1)
	events.Register[Activated](c, 1)
	events.Register[DeprovisioningStarted](c, 1)
	events.Register[DaemonUnbound](c, 1)
	events.Register[Deprovisioned](c, 1)
	events.Register[UpdateCredentialIssued](c, 1)
	events.Register[UpdateCredentialRevoked](c, 1)
}
