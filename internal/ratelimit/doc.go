// Package ratelimit counts requests per key (a client IP) in a sliding
// window shared by every replica of every service, so that "10 verification
// codes per IP per hour" holds for the cluster and not per process.
//
// The state lives in one JetStream stream, Stream ("RATELIMIT", subjects
// wardnet.rl.>), with one subject per limit and key:
// wardnet.rl.<limit name>.<hex sha256 of the key>. The key never appears
// in a subject in clear, and any string is a valid key. Each subject keeps
// only its last message (MaxMsgsPerSubject 1), whose body is the list of
// the times of the requests admitted in the current window. Allow reads
// that message, drops the times older than the window, and either refuses
// (the window is full) or appends the new time with
// Nats-Expected-Last-Subject-Sequence set to the sequence it read. A
// concurrent writer on the same key makes the publish fail, and Allow reads
// again, a bounded number of times; so no number of callers, in any number
// of processes, ever admits more than the limit. Each message carries a
// per-message TTL (Nats-TTL) of the window, so idle keys disappear.
//
// Refused requests are not recorded: a client that keeps knocking is
// admitted again as soon as its oldest admitted request leaves the window,
// and Allow tells it when (retryAfter). Times come from the Limiter's
// clock, so replicas with skewed clocks disagree by the skew. Reserve
// admits like Allow and returns a Reservation whose Cancel takes the
// request back out of the window: a limit of failures (wrong codes)
// reserves each attempt before it knows the outcome and cancels the ones
// that succeed, so it stays exact however many attempts run at once.
//
// A Budget counts events of one kind for the whole cluster rather than per
// key: append-only, one message per event on its subject in BudgetStream
// ("RATEBUDGET", wardnet.rb.<name>) with a per-message TTL of the window,
// counted by the server. Many writers never contend, and the count can
// overshoot by the checks in flight; it is a brake behind exact
// per-client Limiters.
//
// This package does not know what is being limited or how to answer a
// refused request (429 and its message are the caller's), and it does not
// extract client addresses from requests (package proxyproto and the HTTP
// gateway do). Callers pass addresses through ClientKey, so that one
// client, an IPv4 address or an IPv6 /64, has one key.
package ratelimit
