package agent

import "time"

// replayTTL is how long the server remembers a proof of possession
// (contract §3.4).
const replayTTL = 120 * time.Second

// stamper hands out the timestamps of proofs of possession. A server
// refuses a proof it has seen as "replayed request" (contract §3.4): the
// reference keys its replay cache on the caller's key, the timestamp and the
// body's hash only, and this repository's internal/pop adds the method and
// path. Either way a daemon collides with itself in ordinary use — two token
// mints around a network registration in the same second are the same
// request — so a request whose body hash was already signed at that second
// is moved to the next free second. Keying on the body alone covers both
// servers. They accept timestamps up to 60 s ahead, far more than a
// daemon's bursts need.
//
// The zero stamper is ready. It is not safe for concurrent use; Client.mu
// guards it.
type stamper struct {
	last map[string]int64 // body hash → the latest timestamp signed with it
}

// next returns the time to sign a request with body hash bodyHash at now.
func (s *stamper) next(now time.Time, bodyHash string) time.Time {
	ts := now.Unix()
	if s.last == nil {
		s.last = make(map[string]int64)
	}
	for h, t := range s.last {
		if t < ts-int64(replayTTL/time.Second) {
			delete(s.last, h)
		}
	}
	if t, ok := s.last[bodyHash]; ok && t >= ts {
		ts = t + 1
	}
	s.last[bodyHash] = ts
	return time.Unix(ts, 0)
}
