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
// clock, so replicas with skewed clocks disagree by the skew.
//
// This package does not know what is being limited or how to answer a
// refused request (429 and its message are the caller's), and it does not
// extract client IPs from requests (package proxyproto and the HTTP
// gateway do). Callers should pass IPs through IPKey so that one address
// has one key.
package ratelimit
