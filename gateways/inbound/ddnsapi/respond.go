package ddnsapi

import (
	"net/http"

	"github.com/wardnet/wardnet-cloud/internal/endpoint"
)

// fail answers err: a refused command with its kind's status and its own
// message (endpoint.Refused), anything else with 500, whose cause is logged
// and never sent.
//
// It is the one place where the daemon routes' errors become statuses; the
// stock clients' answer in their protocols' terms (dynCode, acmeFail).
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	if !endpoint.Refused(a.log, w, r, err) {
		endpoint.InternalError(a.log, w, r, err)
	}
}
