package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
	"github.com/wardnet/wardnet-cloud/services/tenants/commands"
)

// Fixed bodies of the answers the gateway gives itself.
const (
	msgInternal    = "internal server error"
	msgTooLarge    = "request body exceeds 1 MiB limit"
	msgUnreadable  = "could not read the request body"
	msgNotFound    = "not found"
	msgNotAllowed  = "method not allowed"
	msgCatchingUp  = "read model is catching up; retry"
	msgNotYours    = "not your tenant"
	msgNeedNetwork = "a network-scoped token for this network is required"

	msgTenantNotFound  = "tenant not found"
	msgNetworkNotFound = "network not found"
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

// writeError answers status with {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

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

// retryAfter renders a wait as whole seconds for Retry-After, rounded up
// and at least 1: a client told "0" would retry at once and be refused.
func retryAfter(d time.Duration) string {
	secs := int64(math.Ceil(d.Seconds()))
	return strconv.FormatInt(max(secs, 1), 10)
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
			w.Header().Set("Retry-After", retryAfter(ce.RetryAfter))
		}
		// The cause may help an operator; it is kept at debug so a flood
		// of refusals does not flood the log. Messages carry no secrets.
		a.log.DebugContext(r.Context(), "request refused", "kind", ce.Kind.String(), "err", err)
		writeError(w, statusOf(ce.Kind), ce.Message)
	case errors.Is(err, tenancy.ErrBehind):
		a.log.WarnContext(r.Context(), "read model behind the log", "err", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, msgCatchingUp)
	case errors.Is(err, tenancy.ErrNotFound) && notFound != "":
		writeError(w, http.StatusNotFound, notFound)
	case r.Context().Err() != nil && errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		a.log.InfoContext(r.Context(), "request canceled by the client", "err", err)
		writeError(w, http.StatusInternalServerError, msgInternal)
	default:
		a.log.ErrorContext(r.Context(), "request failed", "err", err)
		writeError(w, http.StatusInternalServerError, msgInternal)
	}
}
