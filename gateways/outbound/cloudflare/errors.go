package cloudflare

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

// Errors callers branch on. An *APIError matches them with errors.Is, and
// also zone.ErrNotFound when the record does not exist (404, code 81044).
var (
	// ErrDuplicate: an identical record (type, name, content) already exists
	// (codes 81057, 81058).
	ErrDuplicate = errors.New("cloudflare: identical record already exists")
	// ErrRateLimited: Cloudflare answered 429.
	ErrRateLimited = errors.New("cloudflare: rate limited")
	// ErrUnauthorized: the token is missing, malformed, unknown or not
	// allowed on the zone (401, 403, code 10000, 6003, 9106).
	ErrUnauthorized = errors.New("cloudflare: not authorized")
)

// Cloudflare error codes the client interprets.
const (
	codeAuthentication  = 10000
	codeInvalidHeaders  = 6003
	codeMissingAuth     = 9106
	codeRecordNotFound  = 81044
	codeRecordExists    = 81057
	codeIdenticalRecord = 81058
)

// ErrorDetail is one of Cloudflare's {code, message} errors.
type ErrorDetail struct {
	Code    int
	Message string
}

// APIError is an error answer from Cloudflare. It never holds the request
// (and so never the token). It is a zone.RetryAfterError: RetryAfter is
// Cloudflare's Retry-After.
type APIError struct {
	Op         string // our operation: "list", "get", "create", "update", "delete"
	StatusCode int
	Errors     []ErrorDetail
	retryAfter time.Duration
}

var _ zone.RetryAfterError = (*APIError)(nil)

// RetryAfter is Cloudflare's Retry-After on a 429, zero otherwise.
func (e *APIError) RetryAfter() time.Duration { return e.retryAfter }

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cloudflare %s: status %d", e.Op, e.StatusCode)
	for _, d := range e.Errors {
		fmt.Fprintf(&b, "; %d %s", d.Code, d.Message)
	}
	if e.retryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.retryAfter)
	}
	return b.String()
}

// HasCode reports whether Cloudflare's answer carries the error code.
func (e *APIError) HasCode(code int) bool {
	return slices.ContainsFunc(e.Errors, func(d ErrorDetail) bool { return d.Code == code })
}

// Is matches the sentinel errors of this package and zone.ErrNotFound.
func (e *APIError) Is(target error) bool {
	switch target {
	case zone.ErrNotFound:
		return e.HasCode(codeRecordNotFound)
	case ErrDuplicate:
		return e.HasCode(codeIdenticalRecord) || e.HasCode(codeRecordExists)
	case ErrRateLimited:
		return e.StatusCode == 429
	case ErrUnauthorized:
		return e.StatusCode == 401 || e.StatusCode == 403 ||
			e.HasCode(codeAuthentication) || e.HasCode(codeInvalidHeaders) || e.HasCode(codeMissingAuth)
	}
	return false
}

// retryable reports whether a request that got this answer may be retried.
func (e *APIError) retryable() bool {
	return e.StatusCode == 429 || e.StatusCode >= 500
}
