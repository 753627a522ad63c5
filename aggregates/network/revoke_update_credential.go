package network

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// RevokeUpdateCredential ends an update credential of the network.
type RevokeUpdateCredential struct {
	CredentialID ids.CredentialID
}

// Decide returns UpdateCredentialRevoked for a live credential, in every
// provisioning state, and ErrNoCredential for an id that is not one
// (never issued, or revoked already): the owner is told that there was
// nothing to revoke.
func (c RevokeUpdateCredential) Decide(s State) ([]events.Payload, error) {
	if _, ok := s.Credentials[c.CredentialID]; !ok {
		return nil, fmt.Errorf("revoke update credential %s: %w", c.CredentialID, ErrNoCredential)
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{UpdateCredentialRevoked{CredentialID: c.CredentialID}}, nil
}
