package tenant

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// RemoveDaemon stops counting a daemon: it removed itself, or its network
// was deprovisioned.
type RemoveDaemon struct {
	RegistrationID ids.RegistrationID
}

// Decide: whatever the tenant's status; nothing when the daemon is not
// counted.
func (c RemoveDaemon) Decide(s State) ([]events.Payload, error) {
	if !s.HasDaemon(c.RegistrationID) {
		return nil, nil
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{DaemonRemoved{RegistrationID: c.RegistrationID}}, nil
}
