// Package naming holds the names of the tenants domain: a network's Slug,
// unique across the service, and the Regions the service knows, where a
// network's DNS and tunnels live (docs/tenants.md).
//
// Each has a Parse function that validates input at the boundary, so the
// aggregates accept nothing unchecked. A slug is taken exactly as sent:
// upper case is refused, not folded.
//
// Identifiers are in package ids, personal data in package personal,
// one-time codes in package code and entitlements in package plan.
package naming
