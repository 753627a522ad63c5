// Package tunnelapi is the tunneller service's public HTTP API
// (docs/api/tunneller.yaml, wardnet-contract.md §1.7 and §6.2): the
// WebSocket upgrade through which a network's daemon holds its tunnel, and
// the health route.
//
//	GET /v1/health                      200, empty body, unauthenticated
//	GET /v1/tunnel                      101, the tunnel (WebSocket)
//	GET /tunneller/v1/tunnel            the same, behind a gateway that keeps the prefix
//
// The upgrade request is authenticated by internal/authn with a verifier
// for the tunneller audience: a network-scoped daemon token and a proof of
// possession over GET <path> with an empty body (the daemon signs the path
// it dialed, prefix included). A tenant-scoped daemon token is answered 403
// "a network-scoped token is required" before authentication, as ddns
// does; a user's token, or any other not addressed to the tunneller, 401
// "invalid token".
//
// The network is always the token's net claim. Whether it may hold a
// tunnel here is the routing table's answer (edge/route.Table.Admit),
// built from the log, never a call to the tenants service: the network
// exists, lives in this region, is not being deprovisioned, and its tenant
// is entitled; and the token's tenant is the network's. Each refusal is a
// 403 with a message that says which (see the msg constants); a table that
// has not caught up with the log yet is a 503 with Retry-After, since it
// cannot tell.
//
// An admitted request is upgraded with the subprotocol frame.Negotiate
// picks (v2 preferred, none for v1 daemons), and the session (edge/tunnel,
// v2 or v1 over tunnel.NewWebSocketConn) is handed to the node
// (edge/node.Node.Hold), which routes the SNI listeners' connections to it
// and closes it when the network lapses, another tunnel of the network
// displaces it or the node drains. A refusal of Hold closes the WebSocket
// with node.CloseCodeFor. The handler returns when the session ends.
// Version 1 has no keepalive of its own: the API pings a v1 daemon at the
// WebSocket level (every 30 s) and closes its tunnel with 4004 after 90 s
// without a message or a pong; v2 sessions keep themselves alive (PING,
// PONG, idle timeout).
//
// Like every public API it follows internal/endpoint: a request id and a
// line in the request log (for a tunnel, written when it ends), panic
// recovery and the body cap, and {"error": "<message>"} for every error.
// Once a request is admitted, the rest of it runs under
// httpserver.LongLived, so that the server's read and write timeouts,
// which bound every refusal, never cut a tunnel.
//
// This package holds no routing rule of its own (edge/route decides
// admission), verifies no token or signature itself (internal/authn),
// does not listen (the service serves the handler, in production behind a
// PROXY protocol listener) and never touches a tunnel's bytes after the
// upgrade (edge/node and edge/tunnel do).
package tunnelapi
