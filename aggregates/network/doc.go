// Package network is the network aggregate (wardnet.ev.network.<network id>):
// one tenant's named network, its region, its provisioning state, the
// daemons bound to it and the update credentials of its stock clients
// (dyndns2, acme-dns).
//
// A network is registered together with its first daemon, in the same atomic
// append that claims its slug and registers the daemon's key (packages
// reservation and daemon hold those rules). It then moves through
// provisioning → active → deprovisioning → deprovisioned; there is no way
// back from deprovisioning. The DNS projector decides Activate and
// MarkDeprovisioned; a user, a closed subscription or a deregistration
// decides Deprovision.
//
// An update credential is issued only to a live network, at most
// MaxCredentials of each kind at a time: the owner's (kind update, through
// the tenants API) and the acme-dns accounts registered with one (kind
// acme_dns, by the ddns service). The events hold the secret's argon2id
// hash, never the secret; State keeps neither. A credential authenticates
// only while the network is live, which the ddns service checks.
//
// The package is pure: events, State, Evolve and one Decide per command. It
// does not check entitlements, slug uniqueness or who the caller is: the
// application loads the tenant, subscription, slug and daemon aggregates for
// that.
package network
