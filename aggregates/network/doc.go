// Package network is the network aggregate (wardnet.ev.network.<network id>):
// one tenant's named network, its region, its provisioning state and the
// daemons bound to it.
//
// A network is registered together with its first daemon, in the same atomic
// append that claims its slug and registers the daemon's key (packages
// reservation and daemon hold those rules). It then moves through
// provisioning → active → deprovisioning → deprovisioned; there is no way
// back from deprovisioning. The DNS projector decides Activate and
// MarkDeprovisioned; a user, a closed subscription or a deregistration
// decides Deprovision.
//
// The package is pure: events, State, Evolve and one Decide per command. It
// does not check entitlements, slug uniqueness or who the caller is: the
// application loads the tenant, subscription, slug and daemon aggregates for
// that.
package network
