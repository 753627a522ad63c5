// Package forwardtest is a small public key infrastructure for tests of
// the forward plane between tunnel edge nodes (edge/forward) and of what
// runs it (edge/node, the tunneller service): a region's certificate
// authority made in the test, leaf certificates for mesh SPIFFE ids (ECDSA
// P-256, an hour of validity, server and client usages, the id as the one
// URI SAN), the three files forward.Certs reads, written to the test's
// temporary directory and replaced by renames as a secret projection
// does, and forged certificates: self-signed ones with a right id, and
// leaves whose URI SAN is no mesh id or missing.
//
// It is for tests: it imports package testing, fails the test on any
// error, and keeps keys in memory and in temporary files. It does not
// check what it is asked to issue (a CA issues ids of any trust domain,
// region or service), nor run Certs' reloads.
package forwardtest
