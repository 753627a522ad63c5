// Package personal holds the personal data the aggregates hold, and how:
// emails normalised, everything personal sealed.
//
// An Email is parsed at the boundary (ParseEmail trims and lower-cases it,
// as the contract normalises emails, and refuses what a mail header could
// not carry). It never enters the log in clear: the log holds it Sealed,
// encrypted under a data key, and the subjects of email reservations carry
// its EmailIndex, a keyed hash that identifies it without revealing it.
//
// This package does not seal data or compute the index (that needs the
// service's keys, package internal/datakeys); it only carries them. It
// imports only the standard library.
package personal
