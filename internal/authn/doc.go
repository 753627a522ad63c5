// Package authn authenticates the callers of the public HTTP listeners
// (wardnet-contract.md §3.2): daemons, with a bearer token and a proof of
// possession of the key the token names, and users, with a bearer token
// alone.
//
// Authenticator.Require is the middleware. For every request it first
// buffers the body (at most MaxBodyBytes, else 413), then requires
// "Authorization: Bearer <jwt>" (401 "authentication required"), verifies
// the token (401 "invalid token"), checks that the route takes the
// token's principal (403 "this endpoint does not accept daemon callers",
// or "user callers"), and for a daemon checks the request's proof of
// possession against the token's cnf key, with the token's sub as the
// replay subject (401 with the pop package's reason). The handler then
// finds the Caller in the request's context (FromContext) and the body,
// still readable, in r.Body or through ReadBody.
//
// Authenticator.VerifyTokenRequest is the credential of POST /v1/token,
// which has no bearer token: the request is signed with the key in its
// body, and that key is the replay subject.
//
// Refusals are answered with {"error":"<reason>"} and the contract's
// status. When a dependency fails (the verifying keys cannot be fetched,
// the replay cache cannot be reached) the answer is 503: the caller's
// credential may be good.
//
// This package does not authenticate mesh (service) callers, sessions or
// cookies, and makes no decision about resources: whether the caller's
// tenant or network matches the path is the handler's business (§3.2
// step 7). It does not mint tokens (package tokens).
package authn
