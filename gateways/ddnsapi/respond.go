package ddnsapi

import (
	"errors"
	"net/http"

	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/services/ddns/commands"
)

// statusOf is the status the contract gives a refused command's kind.
func statusOf(k commands.Kind) int {
	switch k {
	case commands.BadRequest:
		return http.StatusBadRequest
	case commands.Forbidden:
		return http.StatusForbidden
	case commands.Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// fail answers err: a refused command with its kind's status and its own
// message, anything else with 500, whose cause is logged and never sent.
//
// It is the one place where the daemon routes' errors become statuses; the
// stock clients' answer in their protocols' terms (dynCode, acmeFail).
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ce *commands.Error
	switch {
	case errors.As(err, &ce) && statusOf(ce.Kind) != http.StatusInternalServerError:
		// The cause may help an operator; it is kept at debug so that a
		// flood of refusals does not flood the log.
		a.log.DebugContext(r.Context(), "request refused", "kind", ce.Kind.String(), "err", err)
		endpoint.WriteError(w, statusOf(ce.Kind), ce.Message)
	default:
		endpoint.InternalError(a.log, w, r, err)
	}
}
