// Package tenant is the tenant aggregate (wardnet.ev.tenant.<tenant id>):
// an account's lifecycle (live, deregistered, swept), its sealed email, and
// the sets of networks and daemons it holds, which the entitlement limits
// are counted against (docs/tenants.md).
//
// A network stays in the set from network_added until network_removed, so a
// network that is deprovisioning still counts against max_networks and
// still blocks the sweep.
//
// The package is pure: events, State, Evolve and one Decide per command. It
// does not know the subscription (the caller passes the entitlement in), the
// email reservation or the networks' own state, and it never sees an email
// in clear.
package tenant
