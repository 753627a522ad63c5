package reservation

import "github.com/wardnet/wardnet-cloud/aggregates/naming"

// Claimed records that owner holds the name.
type Claimed struct {
	// Owner is a network id for a slug, a tenant id for an email.
	Owner naming.ID `json:"owner"`
}

// EventType implements events.Payload.
func (Claimed) EventType() string { return "wardnet.reservation.claimed" }

// Released frees the name its owner held.
type Released struct {
	Owner naming.ID `json:"owner"`
}

// EventType implements events.Payload.
func (Released) EventType() string { return "wardnet.reservation.released" }
