// Package account is the account aggregate (wardnet.ev.account.<tenant id>):
// a tenant's password login and its browser sessions.
//
// The password hash enters the log sealed with the tenant's data key, and
// the email only as its index. A session is known by the hex SHA-256 of its
// token, never the token. A session is live while it was started, not
// ended, not revoked since it started, and unexpired; Evolve forgets the
// others and keeps at most MaxSessions live ones, dropping the oldest.
//
// The package is pure: events, State, Evolve and one Decide per command. It
// does not hash passwords, seal, check codes or check that the tenant is
// live: the application does, with the tenant and code aggregates.
package account
