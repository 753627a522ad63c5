// Package agent speaks the daemon side of the Wardnet cloud contract to the
// tenants, ddns and tunneller services (contract §1.6, §1.7, §2.7, §3.4,
// §11): it is what a Wardnet daemon does to enroll, mint tokens, pick a
// name, register a network, publish its address and hold its tunnel,
// written as a library so that the wardnet-agent command and Go tests of
// other packages can act as a daemon against the real services.
//
// A [Client] owns one daemon identity: a 32-byte Ed25519 seed generated fresh
// at every [Client.Enroll], kept with the tenant and network it is bound to
// in a JSON state file (mode 0600, written atomically). Tokens are cached in
// memory only, treated as opaque except for their exp claim, and re-minted
// when fewer than two minutes remain. Every authenticated request is
// serialised once, and the same bytes are signed (package internal/pop) and
// sent.
//
// With WithDDNS it also speaks to its region's ddns service (contract §1.6):
// it reports the network's public address (ReportIP, or ReportIPIfChanged
// with an AddressSource, remembering the last address reported in the
// state file) and publishes ACME DNS-01 challenge values (SetChallenge,
// ClearChallenge), with the network-scoped token and a proof of
// possession.
//
// HoldTunnel holds the network's tunnel to the region's tunneller (contract
// §6.2, §6.6; docs/api/tunnel-protocol.md), running edge/tunnel's daemon
// session over a WebSocket upgraded with the token and a proof of
// possession, relaying its streams to local TCP services (optionally behind
// a PROXY v2 header) and its UDP flows to a local UDP service, redialing
// with backoff and moving make-before-break when the node sends GOAWAY.
//
// The package does not pick a region by probing, does not speak version 1
// of the tunnel protocol, and does not verify token signatures: a daemon
// trusts the server it enrolled with.
package agent
