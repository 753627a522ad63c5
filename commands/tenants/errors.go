package tenants

import "github.com/wardnet/wardnet-cloud/internal/refusal"

// Kind and Error are the refusals of package refusal: a refused command
// returns an *Error whose Kind decides the status.
type (
	Kind  = refusal.Kind
	Error = refusal.Error
)

// The kinds of refusal, with the status the contract gives each.
const (
	BadRequest   = refusal.BadRequest   // 400
	Unauthorized = refusal.Unauthorized // 401
	Forbidden    = refusal.Forbidden    // 403
	NotFound     = refusal.NotFound     // 404
	Conflict     = refusal.Conflict     // 409
	RateLimited  = refusal.RateLimited  // 429
	Unavailable  = refusal.Unavailable  // 503
)

func refuse(kind Kind, msg string, cause error) *Error { return refusal.New(kind, msg, cause) }

// KindOf returns the kind of err, or 0 when err is not a refusal (an
// internal failure).
func KindOf(err error) Kind { return refusal.KindOf(err) }
