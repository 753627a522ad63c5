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

// deadlines are a stream's read and write deadlines, with the deadline
// methods of net.Conn; both stream types embed them.
type deadlines struct {
	readDeadline, writeDeadline deadline
}

// SetDeadline sets the read and write deadlines.
func (d *deadlines) SetDeadline(t time.Time) error {
	d.readDeadline.set(t)
	d.writeDeadline.set(t)
	return nil
}

// SetReadDeadline makes a pending and future Read fail with
// os.ErrDeadlineExceeded after t; the zero time clears it.
func (d *deadlines) SetReadDeadline(t time.Time) error {
	d.readDeadline.set(t)
	return nil
}

// SetWriteDeadline makes a Write waiting (for credit, or its turn) fail
// with os.ErrDeadlineExceeded after t; what it sent before stays sent.
func (d *deadlines) SetWriteDeadline(t time.Time) error {
	d.writeDeadline.set(t)
	return nil
}
