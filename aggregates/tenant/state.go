package tenant

import (
	"maps"
	"slices"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

// Status is where a tenant is in its lifecycle.
type Status string

// The statuses of a tenant; the zero Status means it was never created.
const (
	StatusLive         Status = "live"
	StatusDeregistered Status = "deregistered"
	StatusSwept        Status = "swept"
)

// State is a tenant as its events tell it. Its JSON is what snapshots store:
// bump StateVersion when it changes meaning.
type State struct {
	ID     ids.TenantID    `json:"id,omitempty"`
	Status Status          `json:"status,omitempty"`
	Email  personal.Sealed `json:"email,omitempty"`
	// Networks holds every network added and not yet removed, deprovisioning
	// ones included.
	Networks map[ids.NetworkID]struct{} `json:"networks"`
	// Daemons holds every daemon added and not yet removed.
	Daemons map[ids.RegistrationID]struct{} `json:"daemons"`
}

// Initial is the state of a tenant without events.
func Initial() State {
	return State{Networks: map[ids.NetworkID]struct{}{}, Daemons: map[ids.RegistrationID]struct{}{}}
}

// Evolve applies one event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	if s.Networks == nil {
		s.Networks = map[ids.NetworkID]struct{}{}
	}
	if s.Daemons == nil {
		s.Daemons = map[ids.RegistrationID]struct{}{}
	}
	switch e := rec.Data.(type) {
	case Created:
		s.ID, s.Email, s.Status = e.TenantID, e.Email, StatusLive
	case Deregistered:
		s.Status = StatusDeregistered
	case NetworkAdded:
		s.Networks[e.NetworkID] = struct{}{}
	case NetworkRemoved:
		delete(s.Networks, e.NetworkID)
	case DaemonAdded:
		s.Daemons[e.RegistrationID] = struct{}{}
	case DaemonRemoved:
		delete(s.Daemons, e.RegistrationID)
	case Swept:
		s.Status = StatusSwept
	}
	return s
}

// Exists reports whether the tenant was created (it may since have been
// deregistered or swept).
func (s State) Exists() bool { return s.Status != "" }

// Live reports whether the tenant exists and is neither deregistered nor
// swept: only a live tenant grows, logs in or mints tokens.
func (s State) Live() bool { return s.Status == StatusLive }

// HasNetwork reports whether network id is counted against the tenant.
func (s State) HasNetwork(id ids.NetworkID) bool { _, ok := s.Networks[id]; return ok }

// HasDaemon reports whether daemon id is counted against the tenant.
func (s State) HasDaemon(id ids.RegistrationID) bool { _, ok := s.Daemons[id]; return ok }

// NetworkIDs lists the tenant's networks in order, e.g. for deprovisioning
// all of them at deregistration.
func (s State) NetworkIDs() []ids.NetworkID { return slices.Sorted(maps.Keys(s.Networks)) }

// RegistrationIDs lists the tenant's daemons, by their registrations, in
// order.
func (s State) RegistrationIDs() []ids.RegistrationID { return slices.Sorted(maps.Keys(s.Daemons)) }
