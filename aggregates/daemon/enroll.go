package daemon

import (
	"errors"
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Enroll binds a key to a tenant, pending registration, for EnrollmentTTL.
// The application decides it with the burning of the enrollment code.
type Enroll struct {
	TenantID ids.TenantID
	Key      ids.DaemonKey
	Now      time.Time
}

// Decide returns Enrolled whenever the key is not registered: enrolling
// again refreshes the pending binding (and may move it to another tenant).
// A registered key gets ErrAlreadyRegistered.
func (c Enroll) Decide(s State) ([]events.Payload, error) {
	switch {
	case c.TenantID == "" || c.Key.IsZero() || c.Now.IsZero():
		return nil, errors.New("enroll daemon: tenant, key and time are required")
	case !s.Key.IsZero() && s.Key != c.Key:
		// The aggregate id is the key's fingerprint: a different key
		// here means the caller addressed the wrong aggregate.
		return nil, fmt.Errorf("enroll daemon %s: key does not match the aggregate's", c.Key.Fingerprint())
	case s.Registered():
		return nil, fmt.Errorf("enroll daemon %s: %w", c.Key.Fingerprint(), ErrAlreadyRegistered)
	}
	return []events.Payload{Enrolled{TenantID: c.TenantID, PublicKey: c.Key, ExpiresAt: c.Now.Add(EnrollmentTTL)}}, nil
}
