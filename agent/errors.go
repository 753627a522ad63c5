package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Errors a caller may branch on.
var (
	// ErrNotEnrolled: the call needs an identity and there is none.
	ErrNotEnrolled = errors.New("not enrolled")
	// ErrAlreadyRegistered: the daemon already belongs to a network; tear
	// down first (as a daemon does before re-enrolling).
	ErrAlreadyRegistered = errors.New("already registered to a network")
	// ErrStateExposed: the state file, which holds the private key, is
	// accessible by group or others.
	ErrStateExposed = errors.New("state file is accessible by group or others")
	// ErrServerMismatch: the state file belongs to another server.
	ErrServerMismatch = errors.New("state file belongs to another server")
)

// APIError is an answer of the tenants service outside 2xx. Message is the
// error of its {"error": "..."} body, or the status text when the body has
// none.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

// replayed tells whether the server refused a proof of possession it had
// already seen (contract §3.4).
func (e *APIError) replayed() bool {
	return e.Status == http.StatusUnauthorized && e.Message == "replayed request"
}

// decodeAPIError reads an error body. Anything but the contract's JSON (a
// proxy's HTML page, say) is not echoed: the status text stands in for it.
func decodeAPIError(status int, body []byte) *APIError {
	var b struct {
		Error string `json:"error"`
	}
	msg := http.StatusText(status)
	if json.Unmarshal(body, &b) == nil && b.Error != "" {
		msg = clip(b.Error, 512)
	}
	if msg == "" {
		msg = "unexpected status"
	}
	return &APIError{Status: status, Message: msg}
}
