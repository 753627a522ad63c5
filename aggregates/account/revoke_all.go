package account

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/events"
)

// RevokeReason says why every session was revoked.
type RevokeReason string

// The reasons for RevokeAll.
const (
	ReasonSignOutEverywhere RevokeReason = "sign_out_everywhere"
	ReasonPasswordReset     RevokeReason = "password_reset"
	ReasonPasswordChange    RevokeReason = "password_change"
	ReasonDeregistered      RevokeReason = "deregistered"
)

// RevokeAll ends every session of the account. A session started later
// in the same append (a password change signs the caller in again) stays.
type RevokeAll struct {
	Reason RevokeReason
}

// Decide returns SessionsRevoked, or nothing when the account holds no
// session.
func (c RevokeAll) Decide(s State) ([]events.Payload, error) {
	switch c.Reason {
	case ReasonSignOutEverywhere, ReasonPasswordReset, ReasonPasswordChange, ReasonDeregistered:
	default:
		return nil, fmt.Errorf("revoke sessions: unknown reason %q", c.Reason)
	}
	if len(s.Sessions) == 0 {
		return nil, nil
	}
	//lint:ignore S1016 a command and its event are separate types that may diverge
	return []events.Payload{SessionsRevoked{Reason: c.Reason}}, nil
}
