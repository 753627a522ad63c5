package tenantsapi

import (
	"errors"
	"net/http"

	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// Fixed bodies of the answers the gateway gives itself.
const (
	msgCatchingUp = "read model is catching up; retry"
	msgNotYours   = "not your tenant"
	msgInvalidKey = "invalid public key"

	msgTenantNotFound  = "tenant not found"
	msgNetworkNotFound = "network not found"
)

// fail answers err: a refused command with its kind's status and its own
// message (endpoint.Refused), a read model that is behind with 503, and anything else with
// 500, whose cause is logged and never sent. notFound is the message for
// tenancy.ErrNotFound on this route.
//
// It is the one place where errors become statuses.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error, notFound string) {
	switch {
	case endpoint.Refused(a.log, w, r, err):
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
