package udpport

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// State is a region's pool: the port each network holds. Its JSON is what
// snapshots store: bump StateVersion when it changes meaning.
type State struct {
	Ports map[ids.NetworkID]uint16 `json:"ports"`
}

// Initial is the state of a pool without events: every port free.
func Initial() State { return State{Ports: map[ids.NetworkID]uint16{}} }

// Evolve applies one stored event. It ignores events it does not know.
func Evolve(s State, rec events.Record) State {
	if s.Ports == nil {
		s.Ports = map[ids.NetworkID]uint16{}
	}
	switch e := rec.Data.(type) {
	case Allocated:
		s.Ports[e.NetworkID] = e.Port
	case Released:
		if p, ok := s.Ports[e.NetworkID]; ok && p == e.Port {
			delete(s.Ports, e.NetworkID)
		}
	}
	return s
}

// PortOf is the port network id holds, and whether it holds one.
func (s State) PortOf(id ids.NetworkID) (uint16, bool) {
	p, ok := s.Ports[id]
	return p, ok
}

// Holder is the network that holds port p, and whether one does.
func (s State) Holder(p uint16) (ids.NetworkID, bool) {
	for id, q := range s.Ports {
		if q == p {
			return id, true
		}
	}
	return "", false
}

// lowestFree is the lowest port of r that no network holds.
func (s State) lowestFree(r Range) (uint16, bool) {
	used := make(map[uint16]bool, len(s.Ports))
	for _, p := range s.Ports {
		used[p] = true
	}
	for p := int(r.First); p <= int(r.Last); p++ {
		if !used[uint16(p)] {
			return uint16(p), true
		}
	}
	return 0, false
}
