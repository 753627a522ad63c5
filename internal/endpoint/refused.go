package endpoint

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/wardnet/wardnet-cloud/internal/refusal"
)

// Status is the status the contract gives a refusal of kind k, and 500 for
// a kind it does not know.
func Status(k refusal.Kind) int {
	switch k {
	case refusal.BadRequest:
		return http.StatusBadRequest
	case refusal.Unauthorized:
		return http.StatusUnauthorized
	case refusal.Forbidden:
		return http.StatusForbidden
	case refusal.NotFound:
		return http.StatusNotFound
	case refusal.Conflict:
		return http.StatusConflict
	case refusal.RateLimited:
		return http.StatusTooManyRequests
	case refusal.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Refused answers err and returns true when it is a refusal of a known
// kind: its status, its message and, when rate limited or unavailable,
// Retry-After. The
// cause goes to the log at debug only, so that a flood of refusals does
// not flood it. Anything else is left to the caller (false).
func Refused(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) bool {
	var re *refusal.Error
	if !errors.As(err, &re) || Status(re.Kind) == http.StatusInternalServerError {
		return false
	}
	if re.Kind == refusal.RateLimited || re.Kind == refusal.Unavailable {
		w.Header().Set("Retry-After", RetryAfter(re.RetryAfter))
	}
	log.DebugContext(r.Context(), "request refused", "kind", re.Kind.String(), "err", err)
	WriteError(w, Status(re.Kind), re.Message)
	return true
}
