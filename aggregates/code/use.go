package code

import (
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
)

// Use burns a code for Purpose.
type Use struct {
	Purpose Purpose
	Now     time.Time
}

// Decide: the code must be issued, unused, unexpired at Now and for
// Purpose; a web purpose also needs a code bound to no tenant. Every
// failure is ErrInvalidCode.
func (c Use) Decide(s State) ([]events.Payload, error) {
	var why string
	switch {
	case !s.Exists():
		why = "unknown"
	case s.Used:
		why = "used"
	case s.Expired(c.Now):
		why = "expired"
	case s.Purpose != c.Purpose:
		why = fmt.Sprintf("issued for %s", s.Purpose)
	case c.Purpose.Web() && s.TenantBound():
		why = "bound to a tenant"
	default:
		return []events.Payload{Used{}}, nil
	}
	return nil, fmt.Errorf("use %s code: %s: %w", c.Purpose, why, ErrInvalidCode)
}
