// Package ids holds the identifiers of the aggregates, one type for each
// kind of thing, so that the compiler tells them apart: a NetworkID cannot
// be passed where a TenantID is wanted, and a call that swaps two of them
// does not build.
//
// TenantID, NetworkID, CredentialID, SessionID and RegistrationID are
// UUIDs in their lower-case canonical form, drawn by the caller with New
// and read from outside with Parse, which accepts nothing else. All are
// strings underneath, so the events that carry them keep their JSON.
//
// A daemon is known by its key: DaemonKey is its Ed25519 public key, and
// DaemonID, the key's fingerprint, is the id of its daemon aggregate. A
// daemon registered with a network also has a RegistrationID there (the
// daemon_id of the events, the id the API shows), which is drawn anew for
// every registration and must not be confused with the DaemonID, which the
// key keeps for ever.
//
// The package is pure, like the aggregates that use it: it imports only
// the standard library. It does not know names (package naming), personal
// data (package personal) or one-time codes (package code).
package ids
