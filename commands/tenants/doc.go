// Package tenants is the tenants service's application layer: one method
// per use case of the public API (issue a code, enroll, mint a daemon token,
// register a network, sign up, log in, …), each a command that loads the
// aggregates it needs, decides with their pure rules (packages under
// aggregates/) and appends the resulting events atomically
// (aggregates.Execute), and the process manager that carries a tenant
// through its lifecycle (Lifecycle). docs/tenants.md lists every command
// with the aggregates it loads and the events it appends.
//
// Personal data is sealed here, before it reaches a decision: emails and
// password hashes enter the log only as ciphertexts under data keys
// (internal/datakeys).
//
// Errors a caller can act on are *Error values with a Kind, which the HTTP
// gateway maps to a status and whose Message is the contract's body text;
// anything else is an internal failure.
//
// This package does not speak HTTP (gateways/inbound/tenantsapi does), does not check
// bearer tokens or request signatures (internal/authn, internal/pop) and
// does not serve reads (projectors/tenancy).
package tenants
