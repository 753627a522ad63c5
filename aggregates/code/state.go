package code

import (
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

// State is a code as its events tell it: what the application needs after
// a successful Use (the purpose, the sealed email to open with the key of
// the day, the email index, the tenant of a tenant-bound code). Its JSON is
// what snapshots store: bump StateVersion when it changes meaning.
type State struct {
	Issued     bool                `json:"issued,omitempty"`
	Purpose    Purpose             `json:"purpose,omitempty"`
	Email      personal.Sealed     `json:"email,omitempty"`
	EmailIndex personal.EmailIndex `json:"email_index,omitempty"`
	TenantID   ids.TenantID        `json:"tenant_id,omitempty"`
	ExpiresAt  time.Time           `json:"expires_at"`
	Used       bool                `json:"used,omitempty"`
}

// Initial is the state of a hash no code was issued under.
func Initial() State { return State{} }

// Evolve applies one event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	switch e := rec.Data.(type) {
	case Issued:
		s = State{
			Issued: true, Purpose: e.Purpose, Email: e.Email, EmailIndex: e.EmailIndex,
			TenantID: e.TenantID, ExpiresAt: e.ExpiresAt,
		}
	case Used:
		s.Used = true
	}
	return s
}

// Exists reports whether a code was issued under this hash.
func (s State) Exists() bool { return s.Issued }

// TenantBound reports whether the code was issued for a tenant (an
// add-daemon code).
func (s State) TenantBound() bool { return s.TenantID != "" }

// Expired reports whether the code can no longer be used at now.
func (s State) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }
