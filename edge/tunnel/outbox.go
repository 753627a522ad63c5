package tunnel

import (
	"context"
	"fmt"
	"sync"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// fairChunk is the most a DATA carries while other streams wait for their
// turn (docs/api/tunnel-protocol.md §3.4, fairness); a stream alone fills
// up to frame.MaxPayload.
const fairChunk = 16 << 10

// maxPeerControl bounds the control frames the peer can make this side
// queue (PONGs, RESETs, refusals) while the writer is behind: a peer that
// floods faster than it reads is closed with 4006.
const maxPeerControl = 4096

// bufPool holds buffers of frame.MaxMessage bytes for DATA and DATAGRAM
// messages: header and payload are built in one and sent as one message.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, frame.MaxMessage)
	return &b
}}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	*b = (*b)[:0]
	bufPool.Put(b)
}

// message is one message waiting for the writer; pooled is set when its
// bytes come from bufPool and go back once written.
type message struct {
	b      []byte
	pooled *[]byte
}

func pooledMessage(b *[]byte) message { return message{b: *b, pooled: b} }

func (m message) release() {
	if m.pooled != nil {
		putBuf(m.pooled)
	}
}

// sender is a queue of DATA-like messages the writer serves round robin,
// one message per turn: a stream's pending DATA, the session's datagrams.
type sender interface {
	// next hands over the sender's next message (ok false: none after
	// all, as for a stream reset meanwhile) and says whether it has more
	// after it. The owning session's mu is held.
	next() (m message, ok, more bool)
}

// outbox orders what a session writes: control frames first, in the order
// queued, then one message from each ready sender in turn. Its fields are
// guarded by the owning session's mu, except wake and flushed.
type outbox struct {
	control queue[message]
	ring    queue[sender]
	wake    chan struct{} // signals the writer; capacity 1
	flushed chan struct{} // closed when the writer has returned
}

func newOutbox() outbox {
	return outbox{wake: make(chan struct{}, 1), flushed: make(chan struct{})}
}

// pushControl queues a control frame; mu is held.
func (o *outbox) pushControl(b []byte) {
	o.control.push(message{b: b})
	signal(o.wake)
}

// pushSender puts a sender that just became ready at the end of the round;
// mu is held.
func (o *outbox) pushSender(s sender) {
	o.ring.push(s)
	signal(o.wake)
}

// busy reports whether other senders wait for their turn; mu is held.
func (o *outbox) busy() bool { return o.ring.len() > 0 }

// pop takes the next message to write; mu is held.
func (o *outbox) pop(controlOnly bool) (message, bool) {
	if m, ok := o.control.pop(); ok || controlOnly {
		return m, ok
	}
	for {
		s, ok := o.ring.pop()
		if !ok {
			return message{}, false
		}
		m, ok, more := s.next()
		if more {
			o.ring.push(s)
		}
		if ok {
			return m, true
		}
	}
}

// run writes messages until done is closed, then the control frames still
// queued (a CLOSE, a GOAWAY) and returns; or until a write fails.
func (o *outbox) run(ctx context.Context, conn MessageConn, mu *sync.Mutex, done <-chan struct{}) error {
	defer close(o.flushed)
	for {
		stopping := isClosed(done)
		mu.Lock()
		m, ok := o.pop(stopping)
		mu.Unlock()
		if !ok {
			if stopping {
				return nil
			}
			select {
			case <-o.wake:
			case <-done:
			}
			continue
		}
		err := conn.Write(ctx, m.b)
		m.release()
		if err != nil {
			return err
		}
	}
}

// peerBudget fails when the control queue is full of frames the peer's
// own frames asked for; mu is held.
func (o *outbox) peerBudget() error {
	if o.control.len() >= maxPeerControl {
		return fmt.Errorf("%w: %d control frames queued for the peer", errPolicy, maxPeerControl)
	}
	return nil
}

// signal wakes whoever waits on c (capacity 1) without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
