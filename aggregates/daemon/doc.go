// Package daemon is the daemon aggregate (wardnet.ev.daemon.<fingerprint>,
// the fingerprint being ids.DaemonKey.Fingerprint): the lifecycle of one
// daemon key, which is also the key's reservation, so that a key is
// registered to at most one network at a time.
//
// A key is enrolled for a tenant (a pending binding that expires after
// EnrollmentTTL), then registered with a network, then possibly removed.
// Token minting reads State.Scope: a registered key gets a network-scoped
// token, a pending unexpired enrollment a tenant-scoped one, anything else
// none.
//
// The package is pure: events, State, Evolve and one Decide per command. It
// does not verify proofs of possession, burn codes or check entitlements:
// the application does, with the code, tenant and subscription aggregates.
package daemon
