package daemon

import (
	"errors"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// EnrollmentTTL is how long an enrollment stays pending.
const EnrollmentTTL = 15 * time.Minute

// Reason says why a daemon was removed.
type Reason string

// The reasons for Remove.
const (
	ReasonSelf                 Reason = "self"                  // the daemon removed itself
	ReasonNetworkDeprovisioned Reason = "network_deprovisioned" // its network is gone
)

func (r Reason) valid() bool { return r == ReasonSelf || r == ReasonNetworkDeprovisioned }

// Errors the commands return; callers branch on them with errors.Is.
var (
	// ErrAlreadyRegistered: the key is registered to a network.
	ErrAlreadyRegistered = errors.New("daemon: key already registered")
	// ErrOtherTenant: the key was enrolled for another tenant than the
	// caller's.
	ErrOtherTenant = errors.New("daemon: key belongs to another tenant")
	// ErrNotEnrolled: Register on a key that was never enrolled.
	ErrNotEnrolled = errors.New("daemon: key not enrolled")
)

// State is a daemon key as its events leave it. Its JSON is what snapshots
// store: bump StateVersion when it changes meaning.
type State struct {
	// Key is the public key; zero before the first enrollment.
	Key ids.DaemonKey `json:"key,omitzero"`
	// TenantID is the tenant of the latest enrollment or registration;
	// empty when the key was never enrolled.
	TenantID ids.TenantID `json:"tenant_id,omitempty"`
	// PendingUntil is when the pending enrollment expires; zero when there
	// is none (never enrolled, or consumed by a registration).
	PendingUntil time.Time `json:"pending_until,omitzero"`
	// RegistrationID and NetworkID are set while the key is registered.
	RegistrationID ids.RegistrationID `json:"daemon_id,omitempty"`
	NetworkID      ids.NetworkID      `json:"network_id,omitempty"`
}

// Initial is the state of a key without events.
func Initial() State { return State{} }

// Evolve applies one stored event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	switch e := rec.Data.(type) {
	case Enrolled:
		s.Key, s.TenantID, s.PendingUntil = e.PublicKey, e.TenantID, e.ExpiresAt
	case Registered:
		s.TenantID, s.RegistrationID, s.NetworkID = e.TenantID, e.RegistrationID, e.NetworkID
		s.PendingUntil = time.Time{} // a registration consumes the enrollment
	case Removed:
		s.RegistrationID, s.NetworkID = "", ""
	}
	return s
}

// Registered reports whether the key is registered to a network.
func (s State) Registered() bool { return s.NetworkID != "" }

// Pending reports whether an enrollment is pending and unexpired at now.
func (s State) Pending(now time.Time) bool {
	return !s.Registered() && !s.PendingUntil.IsZero() && now.Before(s.PendingUntil)
}

// ScopeKind is what kind of token a key may mint.
type ScopeKind int

// The scopes, from none to the widest.
const (
	ScopeNone    ScopeKind = iota // no token: 401
	ScopeTenant                   // a tenant-scoped token (enrolled, not yet registered)
	ScopeNetwork                  // a network-scoped token
)

// String is the scope's name.
func (k ScopeKind) String() string {
	switch k {
	case ScopeTenant:
		return "tenant"
	case ScopeNetwork:
		return "network"
	}
	return "none"
}

// Scope is what a token minted for the key at some time may carry.
type Scope struct {
	Kind     ScopeKind
	TenantID ids.TenantID // set for ScopeTenant and ScopeNetwork
	// NetworkID and RegistrationID are set for ScopeNetwork.
	NetworkID      ids.NetworkID
	RegistrationID ids.RegistrationID
}

// Scope tells token minting what the key may have at now: registered →
// network-scoped; pending and unexpired → tenant-scoped; otherwise none.
// Whether the tenant is live and its subscription active is for the
// caller to check.
func (s State) Scope(now time.Time) Scope {
	switch {
	case s.Registered():
		return Scope{Kind: ScopeNetwork, TenantID: s.TenantID, NetworkID: s.NetworkID, RegistrationID: s.RegistrationID}
	case s.Pending(now):
		return Scope{Kind: ScopeTenant, TenantID: s.TenantID}
	}
	return Scope{Kind: ScopeNone}
}
