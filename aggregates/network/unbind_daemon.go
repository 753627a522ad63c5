package network

import (
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// UnbindDaemon removes a daemon from the network, as its self-removal does.
type UnbindDaemon struct {
	RegistrationID ids.RegistrationID
}

// Decide returns DaemonUnbound, or nothing when the daemon is not bound.
// It applies in every provisioning state.
func (c UnbindDaemon) Decide(s State) ([]events.Payload, error) {
	if !s.HasDaemon(c.RegistrationID) {
		return nil, nil
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{DaemonUnbound{RegistrationID: c.RegistrationID}}, nil
}
