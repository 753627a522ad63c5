package udpport

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Release frees the port NetworkID holds, for Reason.
type Release struct {
	NetworkID ids.NetworkID
	Reason    Reason
}

// Decide: the holder's port is released; a network that holds none
// decides nothing, so that a redelivered release, or one for a network of
// another region's pool, never fails. An unknown reason is refused.
func (c Release) Decide(s State) ([]events.Payload, error) {
	if !c.Reason.Valid() {
		return nil, fmt.Errorf("release a UDP port: unknown reason %q", c.Reason)
	}
	p, ok := s.PortOf(c.NetworkID)
	if !ok {
		return nil, nil
	}
	return []events.Payload{Released{NetworkID: c.NetworkID, Port: p, Reason: c.Reason}}, nil
}
