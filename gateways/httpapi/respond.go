package httpapi

import (
	"errors"
	"net/http"

	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
	"github.com/wardnet/wardnet-cloud/services/tenants/commands"
)

// Fixed bodies of the answers the gateway gives itself.
const (
	msgCatchingUp  = "read model is catching up; retry"
	msgNotYours    = "not your tenant"
	msgNeedNetwork = "a network-scoped token for this network is required"

	msgTenantNotFound  = "tenant not found"
	msgNetworkNotFound = "network not found"
)

// statusOf is the status the contract gives a refused command's kind.
func statusOf(k commands.Kind) int {
	switch k {
	case commands.BadRequest:
		return http.StatusBadRequest
	case commands.Unauthorized:
		return http.StatusUnauthorized
	case commands.Forbidden:
		return http.StatusForbidden
	case commands.NotFound:
		return http.StatusNotFound
	case commands.Conflict:
		return http.StatusConflict
	case commands.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// fail answers err: a refused command with its kind's status and its own
// message, a read model that is behind with 503, and anything else with
// 500, whose cause is logged and never sent. notFound is the message for
// tenancy.ErrNotFound on this route.
//
// It is the one place where errors become statuses.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error, notFound string) {
	var ce *commands.Error
	switch {
	case errors.As(err, &ce) && statusOf(ce.Kind) != http.StatusInternalServerError:
		if ce.Kind == commands.RateLimited {
			w.Header().Set("Retry-After", endpoint.RetryAfter(ce.RetryAfter))
		}
		// The cause may help an operator; it is kept at debug so a flood
		// of refusals does not flood the log. Messages carry no secrets.
		a.log.DebugContext(r.Context(), "request refused", "kind", ce.Kind.String(), "err", err)
		endpoint.WriteError(w, statusOf(ce.Kind), ce.Message)
	case errors.Is(err, tenancy.ErrBehind):
		a.log.WarnContext(r.Context(), "read model behind the log", "err", err)
		w.Header().Set("Retry-After", "1")
		endpoint.WriteError(w, http.StatusServiceUnavailable, msgCatchingUp)
	case errors.Is(err, tenancy.ErrNotFound) && notFound != "":
		endpoint.WriteError(w, http.StatusNotFound, notFound)
	default:
		endpoint.InternalError(a.log, w, r, err)
	}
}
