package cftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Cloudflare error codes that the fake answers with. Those seen in
// Cloudflare's own answers are the ones API clients in the wild branch on.
const (
	CodeAuthentication    = 10000 // "Authentication error": token unknown or not allowed
	CodeMissingAuth       = 9106  // "Missing X-Auth-Key, X-Auth-Email or Authorization headers"
	CodeInvalidHeaders    = 6003  // "Invalid request headers" (with 6111 in error_chain)
	CodeBadAuthHeader     = 6111  // "Invalid format for Authorization header"
	CodeNoRoute           = 7000  // "No route for that URI"
	CodeCouldNotRoute     = 7003  // "Could not route to …, perhaps your object identifier is invalid?"
	CodeMethodNotAllowed  = 7001  // approximate: method not allowed on a known route
	CodeMalformedJSON     = 6007  // "Malformed JSON in request body"
	CodeContentType       = 9207  // "Content-type must be application/json."
	CodeInvalidName       = 9000  // "DNS name is invalid."
	CodeCannotProxy       = 9004  // "This record type cannot be proxied."
	CodeInvalidIPv4       = 9005  // "Content for A record must be a valid IPv4 address."
	CodeInvalidIPv6       = 9006  // "Content for AAAA record must be a valid IPv6 address."
	CodeInvalidContent    = 9007  // approximate: content missing or empty
	CodeContentTooLong    = 9015  // "Record content exceeds the allowed length …"
	CodeInvalidType       = 9020  // "Invalid DNS record type"
	CodeInvalidTTL        = 9021  // "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for automatic."
	CodeBadPaging         = 1004  // approximate: page or per_page not a positive integer
	CodeRecordNotFound    = 81044 // "Record does not exist."
	CodeRecordExists      = 81057 // "Record already exists." (older answer to the same conflict)
	CodeIdenticalRecord   = 81058 // "An identical record already exists."
	CodeThrottled         = 971   // "Please wait and consider throttling your request speed"
	CodeInternal          = 10001 // approximate: an injected server error
	maxRequestBody        = 1 << 20
	cloudflareTimeLayout  = "2006-01-02T15:04:05.000000Z"
	defaultRetryAfterSecs = 1
)

// APIError is one entry of the envelope's "errors" (and of "error_chain").
type APIError struct {
	Code       int        `json:"code"`
	Message    string     `json:"message"`
	ErrorChain []APIError `json:"error_chain,omitempty"`
}

// ResultInfo is the paging block of a list answer.
type ResultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// Envelope is Cloudflare's v4 answer.
type Envelope struct {
	Success    bool            `json:"success"`
	Errors     []APIError      `json:"errors"`
	Messages   []APIError      `json:"messages"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *ResultInfo     `json:"result_info,omitempty"`
}

// failure is an error answer about to be written.
type failure struct {
	status     int
	errs       []APIError
	retryAfter time.Duration
}

func fail(status, code int, format string, args ...any) *failure {
	return &failure{status: status, errs: []APIError{{Code: code, Message: fmt.Sprintf(format, args...)}}}
}

func noRoute(status int, path string) *failure {
	return &failure{status: status, errs: []APIError{
		{Code: CodeCouldNotRoute, Message: fmt.Sprintf("Could not route to %s, perhaps your object identifier is invalid?", path)},
		{Code: CodeNoRoute, Message: "No route for that URI"},
	}}
}

func writeJSON(w http.ResponseWriter, status int, env Envelope) {
	if env.Errors == nil {
		env.Errors = []APIError{}
	}
	if env.Messages == nil {
		env.Messages = []APIError{}
	}
	if env.Result == nil {
		env.Result = json.RawMessage("null")
	}
	b, err := json.Marshal(env)
	if err != nil {
		// Only a bug in the fake gets here: everything it marshals is plain data.
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeFailure(w http.ResponseWriter, f *failure) {
	if f.status == http.StatusTooManyRequests {
		secs := int((f.retryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = defaultRetryAfterSecs
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, f.status, Envelope{Success: false, Errors: f.errs})
}

func writeResult(w http.ResponseWriter, status int, result any, info *ResultInfo) {
	b, err := json.Marshal(result)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, status, Envelope{Success: true, Result: b, ResultInfo: info})
}
