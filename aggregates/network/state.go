package network

import (
	"errors"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// Status is a network's provisioning state.
type Status string

// The provisioning states, in the only order a network goes through them.
// A network without events has the empty status.
const (
	StatusProvisioning   Status = "provisioning"
	StatusActive         Status = "active"
	StatusDeprovisioning Status = "deprovisioning"
	StatusDeprovisioned  Status = "deprovisioned"
)

// Reason says why a network is deprovisioned.
type Reason string

// The reasons for Deprovision.
const (
	ReasonUser         Reason = "user"         // the owner deleted it
	ReasonSubscription Reason = "subscription" // the subscription closed
	ReasonDeregistered Reason = "deregistered" // the tenant deregistered
)

func (r Reason) valid() bool {
	return r == ReasonUser || r == ReasonSubscription || r == ReasonDeregistered
}

// Errors the commands return; callers branch on them with errors.Is.
var (
	// ErrExists: Register on a network id that already has events.
	ErrExists = errors.New("network: already registered")
	// ErrWrongState: the command does not apply in the network's
	// provisioning state (including a network that does not exist).
	ErrWrongState = errors.New("network: wrong provisioning state")
	// ErrCredentialLimit: the network already has MaxCredentials live
	// credentials of the kind asked for.
	ErrCredentialLimit = errors.New("network: update credential limit reached")
	// ErrCredentialExists: a credential with that id or username was
	// issued before (the caller draws both at random: draw again).
	ErrCredentialExists = errors.New("network: update credential already issued")
	// ErrNoCredential: no live credential of the network has that id.
	ErrNoCredential = errors.New("network: no such update credential")
)

// CredentialKind says what an update credential authenticates.
type CredentialKind string

// The kinds of update credential.
const (
	// CredentialUpdate is the owner's: HTTP Basic for dyndns2
	// (/nic/update) and for registering acme-dns accounts (/register).
	CredentialUpdate CredentialKind = "update"
	// CredentialACMEDNS is an acme-dns account, registered with an update
	// credential: X-Api-User/X-Api-Key for acme-dns /update only.
	CredentialACMEDNS CredentialKind = "acme_dns"
)

// Valid reports whether k is one of the kinds.
func (k CredentialKind) Valid() bool { return k == CredentialUpdate || k == CredentialACMEDNS }

// MaxCredentials bounds the live credentials of one kind a network holds.
const MaxCredentials = 5

// Credential is a live update credential as the network knows it: never
// its secret, nor the secret's hash (the log has it, for the ddns
// service).
type Credential struct {
	Kind     CredentialKind `json:"kind"`
	Username string         `json:"username"`
	// Issued is the log's time of the issue.
	Issued time.Time `json:"issued"`
}

// State is a network as its events leave it. Its JSON is what snapshots
// store: bump StateVersion when it changes meaning.
type State struct {
	TenantID    ids.TenantID  `json:"tenant_id,omitempty"`
	Slug        naming.Slug   `json:"slug,omitempty"`
	DisplayName string        `json:"display_name,omitempty"`
	Region      naming.Region `json:"region,omitempty"`
	Status      Status        `json:"status,omitempty"`
	// Created is the log's time of the registration.
	Created time.Time `json:"created,omitzero"`
	// Daemons are the daemons bound to the network, by daemon id. A
	// daemon's aggregate id is its key's Fingerprint. Deprovisioned does
	// not unbind them: the process manager removes them afterwards.
	Daemons map[ids.RegistrationID]ids.DaemonKey `json:"daemons"`
	// Credentials are the live update credentials, by credential id. They
	// authenticate only while the network is Live; a revoked one is gone.
	Credentials map[ids.CredentialID]Credential `json:"credentials"`
}

// Initial is the state of a network without events.
func Initial() State {
	return State{Daemons: map[ids.RegistrationID]ids.DaemonKey{}, Credentials: map[ids.CredentialID]Credential{}}
}

// Evolve applies one stored event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	if s.Daemons == nil {
		s.Daemons = map[ids.RegistrationID]ids.DaemonKey{}
	}
	if s.Credentials == nil {
		s.Credentials = map[ids.CredentialID]Credential{}
	}
	switch e := rec.Data.(type) {
	case Registered:
		s.TenantID, s.Slug, s.DisplayName, s.Region = e.TenantID, e.Slug, e.DisplayName, e.Region
		s.Status = StatusProvisioning
		s.Created = rec.Time
		s.Daemons[e.RegistrationID] = e.DaemonKey
	case Activated:
		s.Status = StatusActive
	case DeprovisioningStarted:
		s.Status = StatusDeprovisioning
	case DaemonUnbound:
		delete(s.Daemons, e.RegistrationID)
	case Deprovisioned:
		s.Status = StatusDeprovisioned
	case UpdateCredentialIssued:
		s.Credentials[e.CredentialID] = Credential{Kind: e.Kind, Username: e.Username, Issued: rec.Time}
	case UpdateCredentialRevoked:
		delete(s.Credentials, e.CredentialID)
	}
	return s
}

// Exists reports whether the network was registered (in any state since).
func (s State) Exists() bool { return s.Status != "" }

// Live reports whether the network is provisioning or active: registered
// and not on its way out.
func (s State) Live() bool { return s.Status == StatusProvisioning || s.Status == StatusActive }

// HasDaemon reports whether daemon id is bound to the network.
func (s State) HasDaemon(id ids.RegistrationID) bool {
	_, ok := s.Daemons[id]
	return ok
}

// HasCredential reports whether id is a live credential of the network,
// of kind.
func (s State) HasCredential(id ids.CredentialID, kind CredentialKind) bool {
	c, ok := s.Credentials[id]
	return ok && c.Kind == kind
}

// credentials counts the live credentials of kind, and reports whether
// one of them has username.
func (s State) credentials(kind CredentialKind, username string) (n int, taken bool) {
	for _, c := range s.Credentials {
		if c.Kind == kind {
			n++
		}
		taken = taken || c.Username == username
	}
	return n, taken
}

// statusName is the status for error messages.
func (s State) statusName() string {
	if s.Status == "" {
		return "not registered"
	}
	return string(s.Status)
}
