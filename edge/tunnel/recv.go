package tunnel

import (
	"io"
	"net"
	"sync"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// updateThreshold is how much a receiver consumes before it gives the
// credit back in one WINDOW_UPDATE: half the initial window.
const updateThreshold = frame.InitialWindow / 2

// recvHalf is the receiving half of a stream: the bytes the peer sent and
// the stream's reader has not consumed, at most one window of them. The
// session's reader only appends here and never waits for the consumer.
type recvHalf struct {
	mu sync.Mutex
	// Guarded by mu.
	buf     []byte // buf[off:] is unread
	off     int
	window  int64 // the credit the peer still has
	unacked int64 // consumed since the last WINDOW_UPDATE
	eof     bool  // the peer sent CLOSE
	err     error // why reads fail (buffered data is gone)
	wake    chan struct{}
}

// deliver appends a DATA payload. It reports false when the payload
// overruns the window the peer was granted (the caller resets the stream).
// Payloads for a stream already aborted are dropped.
func (r *recvHalf) deliver(p []byte, c *counters) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return true
	}
	if int64(len(p)) > r.window {
		return false
	}
	r.window -= int64(len(p))
	if r.off == len(r.buf) {
		r.buf, r.off = r.buf[:0], 0
	} else if cap(r.buf)-len(r.buf) < len(p) && r.off > 0 {
		n := copy(r.buf, r.buf[r.off:])
		r.buf, r.off = r.buf[:n], 0
	}
	r.buf = append(r.buf, p...)
	c.buffered(int64(len(p)), int64(len(r.buf)-r.off))
	signal(r.wake)
	return true
}

// take copies unread bytes into p and says how much credit to give back
// (0 until half a window has been consumed, and none once the peer has
// closed: it sends no more).
func (r *recvHalf) take(p []byte, c *counters) (n int, grant int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, 0, r.err
	}
	if r.off == len(r.buf) {
		if r.eof {
			return 0, 0, io.EOF
		}
		return 0, 0, nil
	}
	n = copy(p, r.buf[r.off:])
	r.off += n
	c.buffered(-int64(n), 0)
	r.unacked += int64(n)
	if r.unacked >= updateThreshold && !r.eof {
		grant, r.unacked = r.unacked, 0
		r.window += grant
	}
	return n, grant, nil
}

// setEOF records the peer's CLOSE.
func (r *recvHalf) setEOF() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eof = true
	signal(r.wake)
}

// fail ends reading with err and drops what was buffered.
func (r *recvHalf) fail(err error, c *counters) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	r.err = err
	c.buffered(-int64(len(r.buf)-r.off), 0)
	r.buf, r.off = nil, 0
	signal(r.wake)
}

// closeLocal ends reading for this side's Close and reports whether
// unread data was lost.
func (r *recvHalf) closeLocal(c *counters) bool {
	r.mu.Lock()
	unread := r.err == nil && r.off < len(r.buf)
	r.mu.Unlock()
	r.fail(net.ErrClosed, c)
	return unread
}
