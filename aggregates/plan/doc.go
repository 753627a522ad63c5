// Package plan says what a subscription allows a tenant to hold; the
// billing plans will live here.
//
// An Entitlement is a subscription's limits, which the tenant aggregate
// counts its networks and daemons against; Trial is the trial's. The
// package is pure and imports only the standard library.
package plan
