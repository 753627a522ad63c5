// Package cloudflare is Wardnet's client for Cloudflare DNS records, built
// on the official Go library (github.com/cloudflare/cloudflare-go/v7).
//
// A [Client] works on one zone with one API token (DNS:Edit on that zone).
// The caller reads the token from its file and passes it in; the client
// never logs it and no error it returns contains it. It can List records by
// name and type (following every page), Get, Create, Update (PUT, in place)
// and Delete them. It is the outbound adapter of the DNS projector's port,
// [zone.Zone] (projectors/dns/zone), and speaks its vocabulary: records are
// [zone.Record] and [zone.RecordSpec], of type zone.TypeA, zone.TypeAAAA or
// zone.TypeTXT (Cloudflare's timestamps are not kept). Cloudflare's answers
// become typed errors: [zone.ErrNotFound], [ErrDuplicate], [ErrRateLimited],
// [ErrUnauthorized], all carried by an [*APIError] with the status and
// Cloudflare's error codes, whose RetryAfter (a [zone.RetryAfterError]) is the
// Retry-After of a 429.
//
// Every request, retries included, first takes a token from a [Budget], a
// token bucket that keeps the process under Cloudflare's limit of 1 200
// requests per 5 minutes per user (default: 1 000 per 5 minutes with a
// burst of 20, so that no 5-minute window holds more than 1 020 of our
// requests). The budget is per process: replicas that share a token must
// split it, for example Requests = 1 000 / N each for N replicas, and leave
// room for people using the dashboard with the same account. One Budget
// should be shared by every Client of the process that uses the same token.
//
// Failed requests are retried with exponential backoff and jitter
// ([RetryPolicy]): transport errors, 5xx and 429. A 429's Retry-After is
// honoured and also pauses the shared budget, because Cloudflare then
// refuses every request of the token, not just this one. Other 4xx answers
// are returned at once. Waits go through a [Clock], so tests run them on
// virtual time (see package cftest).
//
// What it does not do: decide which records should exist (that is the DNS
// projector's job), remember record ids, batch requests, or manage zones.
// Only A, AAAA and TXT records are supported. The library's own retries are
// turned off; it does not read CLOUDFLARE_* environment variables.
package cloudflare
