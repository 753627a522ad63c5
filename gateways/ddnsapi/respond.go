package ddnsapi

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/wardnet/wardnet-cloud/services/ddns/commands"
)

// Fixed bodies of the answers the gateway gives itself.
const (
	msgInternal    = "internal server error"
	msgTooLarge    = "request body exceeds 1 MiB limit"
	msgUnreadable  = "could not read the request body"
	msgNotFound    = "not found"
	msgNotAllowed  = "method not allowed"
	msgNotAnObject = "request body must be a JSON object"
)

// errorBody is every error's body (contract §1.3).
type errorBody struct {
	Error string `json:"error"`
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own view types reach here; they always marshal.
		status, b = http.StatusInternalServerError, []byte(`{"error":"`+msgInternal+`"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// retryAfter renders a wait as whole seconds for Retry-After, rounded up
// and at least 1: a client told "0" would retry at once and be refused.
func retryAfter(d time.Duration) string {
	secs := int64(math.Ceil(d.Seconds()))
	return strconv.FormatInt(max(secs, 1), 10)
}

// writeError answers status with {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	b, err := json.Marshal(errorBody{Error: msg})
	if err != nil { // a string always marshals
		status, b = http.StatusInternalServerError, []byte(`{"error":"`+msgInternal+`"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

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
		writeError(w, statusOf(ce.Kind), ce.Message)
	case r.Context().Err() != nil && errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		a.log.InfoContext(r.Context(), "request canceled by the client", "err", err)
		writeError(w, http.StatusInternalServerError, msgInternal)
	default:
		a.log.ErrorContext(r.Context(), "request failed", "err", err)
		writeError(w, http.StatusInternalServerError, msgInternal)
	}
}
