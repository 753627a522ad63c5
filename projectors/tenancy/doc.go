// Package tenancy is the tenants service's read model: tenants, their
// networks, daemons and subscriptions, as the user routes of the public API
// show them (NetworkView, DaemonView, SubscriptionView, MeView). It is a
// projection (package projectors), rebuilt from the log at will.
//
// Reads are consistent with writes: Reader.Sync waits, bounded, until the
// projection has applied every event the log held when it was called, so a
// person who registers a network and then lists networks sees it, whichever
// replica answers. The projection reads every event for that reason (it
// skips those it has no use for), so its checkpoint can reach the log's
// last sequence.
//
// A network's UDP port (udp_port) comes from its region's port pool
// (aggregates/udpport, written by the tunneller service): the pool's
// events name the network, so the projection reads them too, and the
// tenants service's catalogue must hold them (commands/tenants.Catalog
// registers them).
//
// Personal data stays sealed in the read model: a tenant's email is stored
// as the ciphertext from its tenant.created event and opened when read.
// tenant.swept deletes the tenant's rows; after the sweep has destroyed the
// tenant's data key, a rebuild stores ciphertexts nothing can open.
//
// Every query is scoped to one tenant. This package does not decide
// anything (aggregates) and does not speak HTTP (gateways/inbound/tenantsapi).
package tenancy
