package udpport

import (
	"errors"
	"fmt"
	"maps"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Allocate gives NetworkID a port of Range.
type Allocate struct {
	NetworkID ids.NetworkID
	Range     Range
}

// Decide: a network that holds a port of the range decides nothing (its
// port is stable); one without a port gets the lowest free port of the
// range; one whose port is outside the range (the range was narrowed)
// gives it up (ReasonOutOfRange) and gets the lowest free one in the same
// decision, or keeps it when the range has none free. A range with no
// free port is ErrExhausted; an invalid range ErrInvalidRange.
func (c Allocate) Decide(s State) ([]events.Payload, error) {
	if !c.Range.Valid() {
		return nil, fmt.Errorf("allocate a UDP port in %s: %w", c.Range, ErrInvalidRange)
	}
	if c.NetworkID == "" {
		return nil, errors.New("allocate a UDP port: no network")
	}
	held, ok := s.PortOf(c.NetworkID)
	if ok && c.Range.Contains(held) {
		return nil, nil
	}
	p, free := s.lowestFree(c.Range)
	if !free && ok {
		return nil, nil // keeps the port it has rather than none
	}
	if !free {
		return nil, fmt.Errorf("allocate a UDP port in %s for %s: %w", c.Range, c.NetworkID, ErrExhausted)
	}
	var out []events.Payload
	if ok {
		out = append(out, Released{NetworkID: c.NetworkID, Port: held, Reason: ReasonOutOfRange})
	}
	return append(out, Allocated{NetworkID: c.NetworkID, Port: p}), nil
}

// Port is the port network id holds once decided, the events of a
// decision applied to s: what a caller of Allocate answers.
func Port(s State, id ids.NetworkID, decided []events.Payload) (uint16, bool) {
	s = State{Ports: maps.Clone(s.Ports)} // Evolve changes the map in place
	for _, e := range decided {
		s = Evolve(s, events.Record{Data: e})
	}
	return s.PortOf(id)
}
