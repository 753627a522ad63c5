// Package reservation is the aggregate that makes a name unique without a
// database lock: one aggregate per name, claimed by at most one owner at a
// time (docs/tenants.md).
//
// The same events and rules serve two namespaces, told apart by the
// aggregate type: SlugType (wardnet.ev.slug.<slug>, owned by a network id)
// and EmailType (wardnet.ev.email.<email index>, owned by a tenant id; the
// subject carries the keyed hash, never the email). Uniqueness comes from
// the runtime's version check: a claim is appended expecting the version its
// decision saw, so of two concurrent claims one conflicts, decides again,
// sees the other's claim and fails with ErrTaken.
//
// State, Claim and Release take the owners' id type as a type parameter,
// so that a slug can only be claimed for a network and an email only for a
// tenant: the compiler refuses the other. The events, shared by both
// namespaces, carry the owner as a string.
//
// The package is pure and knows nothing of networks or tenants beyond their
// ids.
package reservation
