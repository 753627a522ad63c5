// Package dns keeps Cloudflare equal to the DNS records every network of one
// region should publish (docs/ddns.md, "The DNS projector"). It has two
// halves.
//
// The Projection (NewProjection, one per region, named dns_<region>) reads
// network.* and dns.* and keeps, in its schema proj_dns_<region>: the
// networks of its region (id, tenant, slug, provisioning state, last event
// sequence), the daemons' last reports per network id (kept for any network,
// even one it has not seen registered or one of another region), the
// acme-dns accounts' challenge values per network id
// (dns.account_challenge_set) and the revoked credentials, whose values it
// drops and whose later values it ignores (network.update_credential_revoked),
// the desired records of each network, and a dirty mark carrying the
// sequence of the event that changed them. Desired records are
//
//   - A and AAAA <slug>.<zone>: the last reported addresses, TTL 120, not
//     proxied;
//   - TXT _acme-challenge.<slug>.<zone>: one per challenge value, TTL 60,
//     the values being the daemon's and every live account's, once each;
//   - nothing once the network is deprovisioning.
//
// To these the Reconciler adds, for a network that publishes records
// (provisioning or active), its edge records: A and AAAA *.<slug>.<zone>,
// one per address of Config.EdgeAddresses (the region's edge nodes), TTL
// 120, not proxied, so that names under the network's own reach the tunnel
// while <slug>.<zone> keeps its daemon's address. They come from the
// configuration, not the log, and are never kept with the projection's
// desired records: the Reconciler adds them whenever it reads a network
// (a reconcile, a drift check), so a changed list is seen by the next drift
// check, which finds every network's records different and marks it dirty.
// With edge addresses, Apply marks a network dirty when it is registered,
// so that its edge records are published before it reports anything.
//
// Migrate (projectors.Migrator) gives a projection an earlier build set up
// the tables this build added, so that it goes on without a rebuild.
//
// Apply is pure (no Cloudflare, no clock): the same log always gives the
// same desired records, and a rebuild marks every network dirty, which only
// costs a reconcile each. It also notifies Postgres channel <name>_dirty in
// the same transaction, so whichever replica applied an event, the active
// Reconciler wakes up when it commits.
//
// The Reconciler (NewReconciler) makes Cloudflare match. It writes to a
// zone.Zone, the port this package declares in projectors/dns/zone (records,
// what they say, zone.ErrNotFound, zone.RetryAfter), which the Cloudflare
// client (gateways/outbound/cloudflare) implements; its backoffs and drift
// schedule run on a Clock (SystemClock unless a test gives a virtual one).
// One replica at a time reconciles: Run holds a session-level Postgres
// advisory lock on a connection of its own, and the others wait on that lock
// and take over when its session ends; before each write to Cloudflare, and
// in the transaction that clears a mark, a reconcile checks that the lock is
// still held (a leader whose session broke stops writing while a successor
// takes over).
// It gives dirty networks, oldest mark first, to a few workers (never one
// network to two at once); for each it lists the names the network owns
// (the wildcard name only when the region has edge addresses or the
// network has wildcard records stored),
// adopts a record that already says what it should, updates in place what
// differs, creates what is missing and deletes extras and duplicates; then it
// stores the record ids in its own schema (dns_<region>_reconciler, which a
// rebuild of the projection does not touch) and clears the dirty mark only if
// no event set it again meanwhile. Every step is idempotent, so a reconcile
// cut short anywhere and run again converges without duplicates or orphans.
// A network whose stored records came from a listing reconcile, and that no
// drift check has found different since, is known: its reconciles that
// create nothing (a changed address, a cleared challenge) work from the
// stored ids without listing, one request per change. Known means that
// the stored records are what Cloudflare has, not that they are what the
// network should publish, so a changed list of edge addresses needs no
// bookkeeping of its own: a known network's next reconcile plans from its
// stored records like any other change (an edge address replaced is an
// update, one removed a delete, one added a create, which lists first).
// A network whose reconcile fails stays dirty and is retried after its own
// exponential backoff (at least the zone's Retry-After), or at once when a
// new event marks it; the others go on.
//
// Once a provisioning network's A or AAAA record at <slug>.<zone> is live
// (its edge records do not count) the Reconciler
// decides network.Activate, and once a deprovisioning network has no record
// left network.MarkDeprovisioned, both on the network aggregate with a command
// id derived from the network and the sequence of the dirty mark, so a
// repetition decides nothing new.
//
// DriftCheck, run every DriftInterval by the active Run, lists the zone's
// records, marks dirty every network whose records differ from the desired
// ones (edited or deleted by hand, or published under another list of edge
// addresses) and makes it no longer known, and deletes the records of names
// that look like a network's (A/AAAA <slug>.<zone> and *.<slug>.<zone>, TXT
// _acme-challenge.<slug>.<zone>) when no live network owns the slug, and,
// in a region without edge addresses, the wildcard records of its own
// networks. It never touches other names or types, nor names of networks of
// other regions.
//
// This package does not decide what a daemon may report (aggregates/report),
// does not serve HTTP, does not import the Cloudflare adapter (the wiring,
// services/ddns, hands the Reconciler its zone), and does not throttle
// Cloudflare requests itself: budget and per-request retries are the
// adapter's (gateways/outbound/cloudflare).
package dns
