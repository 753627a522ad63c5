package code

import (
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

// Issue records a new code under its hash (the aggregate id).
type Issue struct {
	Purpose Purpose
	// Email is sealed with the key of the day.
	Email      personal.Sealed
	EmailIndex personal.EmailIndex
	// TenantID binds an add-daemon code to its tenant; empty otherwise.
	TenantID ids.TenantID
	Now      time.Time
}

// Decide: only a hash without a code; the code expires TTL after Now.
func (c Issue) Decide(s State) ([]events.Payload, error) {
	if s.Exists() {
		return nil, fmt.Errorf("issue %s code: %w", c.Purpose, ErrExists)
	}
	return []events.Payload{Issued{
		Purpose:    c.Purpose,
		Email:      c.Email,
		EmailIndex: c.EmailIndex,
		TenantID:   c.TenantID,
		ExpiresAt:  c.Now.Add(TTL),
	}}, nil
}
