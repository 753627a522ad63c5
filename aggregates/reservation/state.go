package reservation

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Owner is what may own a name: a network (a slug's owner) or a tenant (an
// email's).
type Owner interface{ ids.NetworkID | ids.TenantID }

// State is a name's reservation in a namespace whose owners are O: a
// State[ids.NetworkID] for slugs, a State[ids.TenantID] for emails. Its
// JSON is what snapshots store: bump StateVersion when it changes meaning.
type State[O Owner] struct {
	// Owner holds the name; empty when it is free.
	Owner O `json:"owner,omitempty"`
}

// Initial is the state of a name never claimed: free.
func Initial[O Owner]() State[O] { return State[O]{} }

// Evolve applies one event. It ignores events it does not know. The
// namespace's aggregate type says whose id an event's owner is: only
// Claim[O] and Release[O] decided them.
func Evolve[O Owner](s State[O], rec events.Record) State[O] {
	switch e := rec.Data.(type) {
	case Claimed:
		s.Owner = O(e.Owner)
	case Released:
		if s.Owner == O(e.Owner) {
			s.Owner = ""
		}
	}
	return s
}

// Held reports whether someone holds the name.
func (s State[O]) Held() bool { return s.Owner != "" }

// HeldBy reports whether owner holds the name.
func (s State[O]) HeldBy(owner O) bool { return s.Held() && s.Owner == owner }
