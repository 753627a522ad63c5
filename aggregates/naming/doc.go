// Package naming holds the value types of the tenants domain: identifiers,
// network slugs, emails and their index, daemon keys, regions, code purposes
// and one-time codes, sealed personal data and entitlements (docs/tenants.md).
//
// Each type has a Parse function that validates input at the boundary, so the
// aggregates accept nothing unchecked. Parse functions never trim or fold
// what the contract says must be taken exactly as sent (slugs, codes);
// emails are trimmed and lower-cased, as the contract normalises them.
//
// This package does not seal data or compute the email index (that needs
// the service's keys, package internal/datakeys); it only carries them.
package naming
