package tunnel

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// V1Stream is one connection carried by a v1 tunnel. v1 has no flow
// control: writes go out one 16 KiB message per turn, and what the daemon
// sends is queued up to V1Options.StreamQueue messages.
type V1Stream struct {
	sess     *V1Session
	id       frame.ConnID
	destPort uint16
	readyCh  chan struct{} // closed on READY
	gone     chan struct{} // closed when the stream fails

	// Guarded by sess.mu.
	ready          bool
	slot           message // the DATA handed to the writer, not yet taken
	closeAfterSlot bool
	sendClosed     bool  // CLOSE sent or queued
	sendErr        error // why writes fail
	sendWake       chan struct{}
	ended          bool // out of the session's table
	rx             queue[[]byte]
	rxBytes        int
	rxEOF          bool  // the daemon sent CLOSE
	rxErr          error // why reads fail
	rxWake         chan struct{}

	wmu, rmu sync.Mutex
	deadlines
}

func newV1Stream(s *V1Session, id frame.ConnID, destPort uint16) *V1Stream {
	return &V1Stream{
		sess: s, id: id, destPort: destPort,
		readyCh: make(chan struct{}), gone: make(chan struct{}),
		sendWake: make(chan struct{}, 1), rxWake: make(chan struct{}, 1),
	}
}

// ID is the stream's conn id in its tunnel.
func (st *V1Stream) ID() frame.ConnID { return st.id }

// DestPort is the port the daemon was asked to connect to.
func (st *V1Stream) DestPort() uint16 { return st.destPort }

func (st *V1Stream) awaitReady(ctx context.Context, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-st.readyCh:
		return nil
	case <-st.gone:
		s := st.sess
		s.mu.Lock()
		defer s.mu.Unlock()
		return st.sendErr
	case <-t.C:
		st.sess.stats.openTimeouts.Add(1)
		return ErrOpenTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readyLocked records READY: the stream may carry data.
func (s *V1Session) readyLocked(st *V1Stream) {
	if st.ready {
		return
	}
	st.ready = true
	s.pending--
	close(st.readyCh)
}

// peerClosedLocked records the daemon's CLOSE: before READY a refusal,
// after it the end of the stream (the node drops its writer, contract
// §6.3). Queued data stays readable, then io.EOF.
func (s *V1Session) peerClosedLocked(st *V1Stream) {
	if !st.ready {
		s.stats.streamsRefused.Add(1)
		s.endLocked(st, &RefusedError{Reason: frame.RefuseUnspecified})
		return
	}
	st.rxEOF = true
	st.sendClosed = true // nothing would read what this side sent
	signal(st.rxWake)
	signal(st.sendWake)
	s.detachLocked(st)
}

// detachLocked takes the stream out of the table, keeping what is queued
// either way.
func (s *V1Session) detachLocked(st *V1Stream) {
	if st.ended {
		return
	}
	st.ended = true
	delete(s.streams, st.id)
	if !st.ready {
		s.pending--
	}
}

// endLocked fails the stream with err, dropping what is queued.
func (s *V1Session) endLocked(st *V1Stream, err error) {
	s.detachLocked(st)
	if st.sendErr != nil {
		return
	}
	st.sendErr, st.rxErr = err, err
	st.slot.release()
	st.slot, st.closeAfterSlot = message{}, false
	s.stats.buffered(-int64(st.rxBytes), 0)
	st.rx, st.rxBytes = queue[[]byte]{}, 0
	close(st.gone)
	signal(st.rxWake)
	signal(st.sendWake)
}

// Read reads what the daemon sent; io.EOF after its CLOSE.
func (st *V1Stream) Read(p []byte) (int, error) {
	st.rmu.Lock()
	defer st.rmu.Unlock()
	for {
		n, err := st.take(p)
		if n > 0 || err != nil || len(p) == 0 {
			return n, err
		}
		select {
		case <-st.rxWake:
		case <-st.readDeadline.wait():
			return 0, os.ErrDeadlineExceeded
		}
	}
}

func (st *V1Stream) take(p []byte) (int, error) {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.rxErr != nil {
		return 0, st.rxErr
	}
	n := 0
	for n < len(p) && st.rx.len() > 0 {
		head := st.rx.items[st.rx.head]
		m := copy(p[n:], head)
		n += m
		if m == len(head) {
			st.rx.pop()
		} else {
			st.rx.items[st.rx.head] = head[m:]
		}
	}
	st.rxBytes -= n
	s.stats.buffered(-int64(n), 0)
	if n == 0 && st.rxEOF {
		return 0, io.EOF
	}
	return n, nil
}

// Write sends p as DATA, 16 KiB per message.
func (st *V1Stream) Write(p []byte) (int, error) {
	st.wmu.Lock()
	defer st.wmu.Unlock()
	n := 0
	for n < len(p) {
		m, err := st.sendChunk(func(b []byte) (int, error) { return copy(b, p[n:]), nil })
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ReadFrom sends what it reads from r until io.EOF, each chunk read
// straight into the message that carries it. It does not close the
// stream.
func (st *V1Stream) ReadFrom(r io.Reader) (int64, error) {
	st.wmu.Lock()
	defer st.wmu.Unlock()
	var total int64
	for {
		n, err := st.sendChunk(r.Read)
		total += int64(n)
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

func (st *V1Stream) sendChunk(fill func([]byte) (int, error)) (int, error) {
	buf := getBuf()
	b := frame.AppendV1Header((*buf)[:0], frame.V1Data, st.id)
	n, ferr := fill(b[frame.V1HeaderLen : frame.V1HeaderLen+v1Chunk])
	if n <= 0 {
		putBuf(buf)
		return 0, ferr
	}
	*buf = b[:frame.V1HeaderLen+n]
	if err := st.place(buf, n); err != nil {
		putBuf(buf)
		return 0, err
	}
	return n, ferr
}

// place hands buf to the writer once the previous DATA has been taken.
func (st *V1Stream) place(buf *[]byte, n int) error {
	s := st.sess
	for {
		s.mu.Lock()
		err := st.writableLocked()
		if err == nil && st.slot.b == nil {
			st.slot = pooledMessage(buf)
			s.out.pushSender(st)
			s.mu.Unlock()
			s.stats.bytesSent.Add(uint64(n))
			return nil
		}
		s.mu.Unlock()
		if err != nil {
			return err
		}
		select {
		case <-st.sendWake:
		case <-st.writeDeadline.wait():
			return os.ErrDeadlineExceeded
		}
	}
}

func (st *V1Stream) writableLocked() error {
	switch {
	case st.sendErr != nil:
		return st.sendErr
	case st.sendClosed:
		return ErrWriteClosed
	}
	return nil
}

// next gives the writer the stream's pending DATA (sender).
func (st *V1Stream) next() (message, bool, bool) {
	m := st.slot
	st.slot = message{}
	signal(st.sendWake)
	if st.closeAfterSlot {
		st.closeAfterSlot = false
		st.sess.pushLocked(frame.V1Frame{Type: frame.V1Close, Conn: st.id})
	}
	return m, m.b != nil, false
}

// CloseWrite sends CLOSE after the data already written; what the daemon
// still sends stays readable until its own CLOSE.
func (st *V1Stream) CloseWrite() error {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	st.closeWriteLocked()
	return nil
}

func (st *V1Stream) closeWriteLocked() {
	if st.sendClosed || st.sendErr != nil {
		return
	}
	st.sendClosed = true
	signal(st.sendWake)
	if st.slot.b != nil {
		st.closeAfterSlot = true
	} else {
		st.sess.pushLocked(frame.V1Frame{Type: frame.V1Close, Conn: st.id})
	}
}

// Close sends CLOSE (after the data already written) unless the daemon
// closed first, and ends the stream: reads and writes fail with
// net.ErrClosed.
func (st *V1Stream) Close() error {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if !st.ended {
		st.closeWriteLocked()
		s.detachLocked(st)
	}
	if st.sendErr == nil {
		st.sendErr = net.ErrClosed
		st.rxErr = net.ErrClosed
		s.stats.buffered(-int64(st.rxBytes), 0)
		st.rx, st.rxBytes = queue[[]byte]{}, 0
		close(st.gone)
		signal(st.rxWake)
	}
	return nil
}
