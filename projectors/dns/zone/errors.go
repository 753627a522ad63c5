package zone

import (
	"errors"
	"time"
)

// ErrNotFound is the error (to errors.Is) of a zone asked for a record it
// does not have.
var ErrNotFound = errors.New("zone: record does not exist")

// RetryAfterError is an error that says how long the zone asked to be left
// alone before the next request (Cloudflare's Retry-After on a 429); zero
// when it did not ask.
type RetryAfterError interface {
	error
	RetryAfter() time.Duration
}

// RetryAfter is the wait that the first RetryAfterError in err's chain
// asks for, or zero if there is none.
func RetryAfter(err error) time.Duration {
	var ra RetryAfterError
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}
