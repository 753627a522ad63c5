package reservation

import (
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/events"
)

// State is a name's reservation. Its JSON is what snapshots store: bump
// StateVersion when it changes meaning.
type State struct {
	// Owner holds the name; empty when it is free.
	Owner naming.ID `json:"owner,omitempty"`
}

// Initial is the state of a name never claimed: free.
func Initial() State { return State{} }

// Evolve applies one event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	switch e := rec.Data.(type) {
	case Claimed:
		s.Owner = e.Owner
	case Released:
		if s.Owner == e.Owner {
			s.Owner = ""
		}
	}
	return s
}

// Held reports whether someone holds the name.
func (s State) Held() bool { return s.Owner != "" }

// HeldBy reports whether owner holds the name.
func (s State) HeldBy(owner naming.ID) bool { return s.Held() && s.Owner == owner }
