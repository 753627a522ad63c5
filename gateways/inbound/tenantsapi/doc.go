// Package tenantsapi is the tenants service's public HTTP API
// (docs/api/tenants.yaml, wardnet-contract.md §1.3–§1.4, §3.6): it
// translates requests into the commands of commands/tenants (through the
// tenants.Commands interface) and the queries of projectors/tenancy, and
// their results and refusals into the contract's statuses and JSON bodies.
//
// New returns one http.Handler. It follows the conventions of every
// public API (internal/endpoint): every request gets, in this order, an id
// and a line in the request log (method, route pattern, status, duration
// and id; never the path, headers or bodies), panic recovery (500), and
// the 1 MiB body cap (413), before routing; so the cap holds on every
// route, authenticated or not. Authenticated routes then go through
// internal/authn (bearer token, and for daemons proof of possession);
// user handlers check that the caller's tenant is the path's (contract
// §3.2 step 7). That a daemon's token is scoped to the path's network is
// the command's rule (tenants.RemoveSelf), like every business rule.
//
// Errors are always {"error": "<message>"} with Content-Type
// application/json. A refused command (a refusal.Error) is answered with
// its kind's status and its own message; tenancy.ErrBehind with 503; a
// 500 says "internal server error" and nothing more, its cause going to
// the log only. Request bodies are JSON objects whose unknown fields are
// ignored.
//
// Browser sessions live in the wardnet_session cookie, which holds a
// tenants.SessionToken sealed by internal/sessioncookie.
//
// This package holds no business rule: whether a code is good, a slug
// free or a tenant live is the commands' decision. It does not verify
// tokens or signatures itself (internal/authn) and does not listen: the
// service (services/tenants) serves the handler, behind a PROXY protocol
// listener (internal/proxyproto) whose ConnContext gives ClientIP the
// client address that rate limits count.
package tenantsapi
