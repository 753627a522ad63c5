// Package agent speaks the daemon side of the Wardnet cloud contract to the
// tenants service (contract §2.7, §3.4, §11): it is what a Wardnet daemon does
// to enroll, mint tokens, pick a name and register a network, written as a
// library so that the wardnet-agent command and Go tests of other packages
// can act as a daemon against a real tenants service.
//
// A [Client] owns one daemon identity: a 32-byte Ed25519 seed generated fresh
// at every [Client.Enroll], kept with the tenant and network it is bound to
// in a JSON state file (mode 0600, written atomically). Tokens are cached in
// memory only, treated as opaque except for their exp claim, and re-minted
// when fewer than two minutes remain. Every authenticated request is
// serialised once, and the same bytes are signed (package internal/pop) and
// sent.
//
// The package does not talk to the regional DDNS or Tunneller services yet,
// does not pick a region by probing them, and does not verify token
// signatures: a daemon trusts the server it enrolled with.
package agent
