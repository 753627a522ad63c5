package testenv

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand, to pass a code's expiry, a
// token's lifetime or a window of a rate limit without waiting for it. A
// running clock reads the real time shifted by what the test advanced it;
// a stopped one (StoppedClock, or after Set) stands still until moved or
// resumed. It is safe for concurrent use; pass its Now where the code
// takes a clock.
type Clock struct {
	mu      sync.Mutex
	offset  time.Duration // running: added to the real time
	at      time.Time     // stopped: the time
	stopped bool
}

// NewClock returns a running clock at the real time.
func NewClock() *Clock { return &Clock{} }

// StoppedClock returns a clock that stands still at at.
func StoppedClock(at time.Time) *Clock { return &Clock{at: at, stopped: true} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return c.at
	}
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d (back, for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.stopped = t, true
}

// Resume sets a stopped clock running again from where it stands.
func (c *Clock) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		c.offset, c.stopped = time.Until(c.at), false
	}
}
