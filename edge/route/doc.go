// Package route is a tunnel edge node's routing table: for each network of
// the node's region, its slug, id, tenant, provisioning state and whether
// its tenant is entitled to tunnels, built in memory from the event log
// (DESIGN §5, tunneller; contract §6.2, §6.4, §6.5 and §4.6), never asked of
// the tenants service.
//
// A Table reads the EVENTS stream (or the region's mirror of it) from its
// first event each time Run starts, and keeps following it. It folds each
// network's events with the network aggregate's own Evolve, and each
// tenant's subscription and tenant events with theirs, so it reads the log
// exactly as the aggregates do. A network of another region is remembered
// only as such; every tenant's subscription and status are kept, since
// its networks here may come later. Ready is closed once the table has applied every event the
// stream held when Run started; until then Lookup finds nothing and Admit
// refuses with ErrNotReady, so a node that has just started fails closed.
//
// Lookup (slug → Route) is what the SNI listeners ask on every inbound
// connection: a read-locked map lookup that allocates nothing. Admit
// (network id → nil or the reason) is the tunnel endpoint's policy: the
// network exists, lives in this region, is provisioning or active, and its
// tenant is entitled. Entitlement is the tunneller's rule of contract §4.2:
// the subscription is open (not grace-aware; the reaper's Closed event ends
// it) and the tenant is not deregistered. A network's Route.Err says which
// of these fails, as one of the package's errors.
//
// Subscribe registers a function called, on the table's goroutine and in
// log order, with a Lapse each time an admissible network stops being so
// (deprovisioning, deprovisioned, subscription closed, tenant
// deregistered), as soon as the event is applied: the node closes that
// network's tunnel then, not at the next reconcile.
//
// The package does not hold tunnels, know which node holds one (package
// presence), decide anything or append to the log, and does not read the
// tenants service or Postgres. It imports the aggregates only for their
// events and Evolve.
package route
