// Package tenants is the tenants service's application layer: every use
// case of its public API and of its lifecycle process manager, listed on
// one screen by the Commands interface (commands.go) and run by App.
//
// Each command is a struct named for it (RegisterNetwork, Signup,
// IssueCode, …) and a method of App of the same name, in a file named
// after it (register_network.go) with its test beside it
// (register_network_test.go). A command takes its inputs as the boundary
// gives them where parsing them is its job (a slug, an email, a code, as
// submitted, refused with the contract's message), and as typed values
// where the gateway has parsed them already (the caller's ids and key). It
// loads the aggregates it needs, decides with their pure rules (packages
// under aggregates/), appends the resulting events atomically
// (aggregates.Execute), and returns what it decided. docs/tenants.md lists
// every command with the aggregates it loads and the events it appends.
//
// The lifecycle process manager (Lifecycle, lifecycle_process.go) carries
// a tenant from creation to the sweep; its commands (OpenTrial,
// CloseDeregistered, DeprovisionNetworks, ReleaseNetwork, Sweep,
// ShredTenant) are named by the event that caused them.
//
// The machinery the commands share has files named for what it is:
// app.go (App, its Deps and New), ports.go (what the application needs
// from the outside world: Mailer, Keyring and the limiters, as interfaces
// that adapters implement), repositories.go, code_guard.go (the limits on
// guessing codes), entitlement.go, sealing.go (personal data under data
// keys), refusals.go.
//
// Personal data is sealed here, before it reaches a decision: emails and
// password hashes enter the log only as ciphertexts under data keys
// (internal/datakeys).
//
// Errors a caller can act on are *Error values with a Kind, which the HTTP
// gateway maps to a status and whose Message is the contract's body text;
// anything else is an internal failure. Each rule is checked here, once:
// the gateway keeps to HTTP (decoding, authentication, statuses).
//
// This package does not speak HTTP (gateways/inbound/tenantsapi does),
// does not send mail (gateways/outbound/mail implements Mailer), does not
// check bearer tokens or request signatures (internal/authn,
// internal/pop) and does not serve reads (projectors/tenancy). It imports
// no adapter.
package tenants
