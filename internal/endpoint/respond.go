package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Fixed bodies of the answers the APIs give themselves.
const (
	// MsgInternal is the whole message of every 500: its cause goes to
	// the log only.
	MsgInternal = "internal server error"
	// MsgUnreadable answers (400) a request whose body could not be read.
	MsgUnreadable = "could not read the request body"

	msgTooLarge    = "request body exceeds 1 MiB limit" // authn.MaxBodyBytes
	msgNotFound    = "not found"
	msgNotAllowed  = "method not allowed"
	msgNotAnObject = "request body must be a JSON object"
)

// errorBody is every error's body (contract §1.3).
type errorBody struct {
	Error string `json:"error"`
}

// WriteJSON answers status with v as JSON: Content-Type application/json,
// a Content-Length, and the body ending in a line break. A v that does not
// marshal is answered 500, as an internal error.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the APIs' own view types reach here; they always marshal.
		status, b = http.StatusInternalServerError, []byte(`{"error":"`+MsgInternal+`"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// WriteError answers status with {"error": msg}.
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, errorBody{Error: msg})
}

// InternalError answers err with a 500 that says nothing more than
// MsgInternal and logs its cause to log: as an error, or at info when the
// client went away (nobody reads the answer, and it needs no alert).
func InternalError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		log.InfoContext(r.Context(), "request canceled by the client", "err", err)
	} else {
		log.ErrorContext(r.Context(), "request failed", "err", err)
	}
	WriteError(w, http.StatusInternalServerError, MsgInternal)
}

// RetryAfter renders a wait as whole seconds for a Retry-After header,
// rounded up and at least 1: a client told "0" would retry at once and be
// refused.
func RetryAfter(d time.Duration) string {
	secs := int64(math.Ceil(d.Seconds()))
	return strconv.FormatInt(max(secs, 1), 10)
}
