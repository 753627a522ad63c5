// Package ddnsapi is the ddns service's public HTTP API (docs/api/ddns.yaml,
// wardnet-contract.md §1.6): the routes a network's daemon calls to report
// its public address and to publish its ACME DNS-01 challenge, and those
// of the stock clients that do the same with an update credential. It
// translates requests into the commands of commands/ddns and
// their refusals into each protocol's statuses and bodies.
//
//	GET    /v1/health          200, empty body, unauthenticated
//	PUT    /v1/ip              {"ip": "…"}         → 204
//	PUT    /v1/acme-challenge  {"values": ["…"]}   → 204
//	DELETE /v1/acme-challenge                      → 204
//	GET    /nic/update?hostname=…&myip=…           → 200 text/plain (dyndns2)
//	POST   /register                               → 201 (acme-dns)
//	POST   /update   {"subdomain": …, "txt": …}    → 200 (acme-dns)
//
// The stock-client routes (dyndns2.go, acmedns.go) take no token: dyndns2
// and acme-dns /register an update credential as HTTP Basic, acme-dns
// /update an account's X-Api-User and X-Api-Key. They answer in their
// protocol's terms (dyndns2 return codes, acme-dns's error strings), are
// throttled per client address and per credential, and act only on the
// credential's own network.
//
// Every daemon route goes through internal/authn with a verifier for the
// ddns audience: a daemon token with proof of possession. The network a
// request acts on is always the token's net claim, never anything the
// request names (there is no id in the path), so one network's token can
// only ever write that network's reports. A tenant-scoped token is
// refused with 403 "a network-scoped token is required".
//
// Like every public API it follows internal/endpoint: every request gets,
// in this order, an id and a line in the request log (method, route
// pattern, status, duration and id; never the path, headers or bodies),
// panic recovery (500), and the 1 MiB body cap (413), before routing.
// Errors are always {"error": "<message>"}; a 500 says "internal server
// error" and nothing more, its cause going to the log.
//
// This package holds no business rule (whether an address is public or a
// network live is the commands' decision), verifies no token or signature
// itself (internal/authn) and does not listen: the service
// (services/ddns) serves the handler, in production behind a PROXY
// protocol listener (internal/proxyproto). Nothing here calls Cloudflare.
package ddnsapi
