// Package refusal is how a command says no to its caller: a Kind the
// caller can act on, a message safe to show, and the domain error behind
// it for errors.Is and the logs. Every service's commands refuse with it,
// and every gateway turns its kinds into answers the same way
// (endpoint.Refused). An error that is not a refusal is an internal
// failure.
package refusal

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the class of a refusal, which decides its HTTP status.
type Kind int

// The kinds of refusal, with the status the contract gives each.
const (
	BadRequest   Kind = iota + 1 // 400
	Unauthorized                 // 401
	Forbidden                    // 403
	NotFound                     // 404
	Conflict                     // 409
	RateLimited                  // 429
	// Unavailable: the command cannot run now for lack of capacity (every
	// password-hash slot taken); the caller should retry after
	// RetryAfter.
	Unavailable // 503
)

func (k Kind) String() string {
	switch k {
	case BadRequest:
		return "bad request"
	case Unauthorized:
		return "unauthorized"
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case RateLimited:
		return "rate limited"
	case Unavailable:
		return "unavailable"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a command refused for a reason the caller can act on. Message
// is safe to show to the caller: it never holds personal data or secrets.
type Error struct {
	Kind    Kind
	Message string
	// RetryAfter is set on RateLimited and Unavailable refusals.
	RetryAfter time.Duration
	// Err is the domain error behind the refusal, for errors.Is and logs.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New is a refusal of kind with msg, caused by cause (which may be nil).
func New(kind Kind, msg string, cause error) *Error {
	return &Error{Kind: kind, Message: msg, Err: cause}
}

// KindOf returns the kind of err, or 0 when err is not a refusal (an
// internal failure).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
