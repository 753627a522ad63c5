// Package zone is the DNS zone the reconciler writes to, as the reconciler
// needs it: records, what they say, the errors a zone answers with, and the
// interface an outbound adapter implements.
//
// It is the port of package dns (projectors/dns), declared on its side: the
// Reconciler and its drift check are given a [Zone] and speak only these
// types, so that the projection imports no adapter. An adapter
// (gateways/outbound/cloudflare for Cloudflare) implements [Zone] with these
// types as its vocabulary, and its errors keep the contract below:
//
//   - a record that does not exist is [ErrNotFound] to errors.Is;
//   - an answer that asks the caller to wait (a 429 with Retry-After)
//     carries a [RetryAfterError] in its chain, which [RetryAfter] reads.
//
// What it does not hold: how requests are sent, budgeted or retried, record
// ids' format, timestamps, or any record type but A, AAAA and TXT. Those
// are the adapter's. It imports only the standard library.
package zone
