// Package subscription is the aggregate of a tenant's subscription
// (wardnet.ev.subscription.<tenant id>): the minimal, card-less trial that
// gates growth until billing arrives (docs/tenants.md; contract §4.2).
//
// A tenant gets one trial, opened when it is created, and never another: a
// closed trial is not reopened. Two queries gate the tenant's growth:
// Current (open, not grace-aware) for registering networks, and Active
// (open and within the grace period after expiry) for minting tokens. The
// entitlement the tenant aggregate counts against is Entitlement.
//
// The package is pure. Closing an expired trial is the caller's decision
// (a periodic reaper passes ReasonExpired); nothing here reads a clock.
package subscription
