package account

import (
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/events"
)

// Refresh slides a live session's expiry to SessionTTL after Now, as the
// cookie exchange does, at most once per RefreshInterval.
type Refresh struct {
	SessionID ids.SessionID
	Now       time.Time
}

// Decide returns SessionRefreshed when the session last started or slid at
// least RefreshInterval ago, nothing when more recently, and ErrNoSession
// when the session is not live at Now.
func (c Refresh) Decide(s State) ([]events.Payload, error) {
	sess, ok := s.Sessions[c.SessionID]
	if !ok || !sess.LiveAt(c.Now) {
		return nil, fmt.Errorf("refresh session %s: %w", c.SessionID, ErrNoSession)
	}
	next := c.Now.Add(SessionTTL)
	// The last slide (or the start) set ExpiresAt to its time + SessionTTL.
	if next.Sub(sess.ExpiresAt) < RefreshInterval {
		return nil, nil
	}
	return []events.Payload{SessionRefreshed{SessionID: c.SessionID, ExpiresAt: next}}, nil
}
