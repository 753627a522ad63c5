package tunnel

import (
	"sync"
	"time"
)

// deadline is a stream's read or write deadline, in the manner of
// net.Pipe's: wait returns a channel that is closed once the deadline has
// passed, and a new deadline replaces the channel.
type deadline struct {
	mu     sync.Mutex
	timer  *time.Timer
	cancel chan struct{} // closed when the deadline passes; nil: none set yet
}

// set arms the deadline for t; the zero time clears it.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		<-d.cancel // the timer fired: wait for its close to have happened
	}
	d.timer = nil
	closed := d.cancel != nil && isClosed(d.cancel)
	if d.cancel == nil || closed {
		d.cancel = make(chan struct{})
	}
	if t.IsZero() {
		return
	}
	dur := time.Until(t)
	if dur <= 0 {
		close(d.cancel)
		return
	}
	c := d.cancel
	d.timer = time.AfterFunc(dur, func() { close(c) })
}

// wait is closed once the deadline has passed.
func (d *deadline) wait() chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cancel == nil {
		d.cancel = make(chan struct{})
	}
	return d.cancel
}
