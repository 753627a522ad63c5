// Package endpoint holds the conventions every public HTTP API of Wardnet
// Cloud follows (wardnet-contract.md §1.3), so that the tenants API
// (gateways/inbound/tenantsapi) and the ddns API (gateways/inbound/ddnsapi) answer, log and
// refuse alike.
//
// Wrap puts an API's handler behind the middleware, in this order: an id
// and a line in the request log (LogRequests: method, route pattern,
// status, duration and id; never the path, headers or bodies), panic
// recovery (RecoverPanics: 500), the refusal of a path or query parameter
// that holds an ASCII control character or invalid UTF-8
// (RefuseBadURLText: 400), and the 1 MiB body cap (LimitBody: 413), so
// these hold on every route, authenticated or not. Route serves a
// ServeMux whose own 404 and 405 answers become JSON errors like every
// other. The id goes to the client in the X-Request-Id header and, through
// a Logger, onto every log line written while serving the request.
//
// Errors are always {"error": "<message>"} with Content-Type
// application/json (WriteError); a command's refusal (package refusal) is
// answered with its kind's status and its own message (Refused, Status); a
// 500 says "internal server error" and nothing more, its cause going to the
// log only (InternalError). Request
// bodies are JSON objects whose unknown fields are ignored; Decode answers
// a malformed one with 400 and a message that says what is wrong and
// where without quoting the input, and Require one that lacks a field.
// Decode also refuses, where encoding/json would not, a body that is not
// valid UTF-8 or whose strings hold \u0000 or an unpaired surrogate escape
// (CheckJSONText): nothing past the edge then meets a NUL or a U+FFFD the
// client did not send.
//
// This package knows no route, command or credential: errors particular
// to a service (a read model behind, a protocol's own answers) stay in its
// gateway, and authentication in internal/authn. It does not listen.
package endpoint
