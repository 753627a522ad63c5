package reservation

// Claimed records that owner holds the name.
type Claimed struct {
	// Owner is the owner's id: a network's (ids.NetworkID) for a slug, a
	// tenant's (ids.TenantID) for an email. The events are shared by both
	// namespaces, so they hold it as a string; a namespace's State and
	// commands hold it as its type.
	Owner string `json:"owner"`
}

// EventType implements events.Payload.
func (Claimed) EventType() string { return "wardnet.reservation.claimed" }

// Released frees the name its owner held.
type Released struct {
	Owner string `json:"owner"`
}

// EventType implements events.Payload.
func (Released) EventType() string { return "wardnet.reservation.released" }
