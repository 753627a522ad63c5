package tunnel

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// Stream is one TCP connection carried by a v2 tunnel: a net.Conn whose
// writes are bounded by the peer's credit and whose reads give back credit
// as they consume. Close and CloseWrite follow TCP: CloseWrite sends CLOSE
// (a FIN); Close sends CLOSE too, or RESET when unread data would be lost.
type Stream struct {
	sess     *Session
	id       frame.StreamID
	destPort uint16
	client   netip.AddrPort
	outbound bool // this side opened it

	// Guarded by sess.mu.
	opened       bool // OPEN_OK received (outbound) or sent (inbound)
	sendWindow   int64
	slot         message // the DATA handed to the writer, not yet taken
	finAfterSlot bool    // send CLOSE once slot is taken
	sendClosed   bool    // CLOSE sent or queued
	sendErr      error   // why writes fail: reset, refused, session end
	peerClosed   bool    // the peer's CLOSE arrived
	appClosed    bool    // Close was called
	ended        bool    // no longer in the session's table
	openTimer    *time.Timer
	sendWake     chan struct{} // capacity 1: credit, the slot, an end

	wmu sync.Mutex // one Write or ReadFrom at a time
	rmu sync.Mutex // one Read at a time

	recv recvHalf
	deadlines
}

var _ net.Conn = (*Stream)(nil)

func newStream(s *Session, id frame.StreamID, destPort uint16, client netip.AddrPort, outbound bool) *Stream {
	return &Stream{
		sess: s, id: id, destPort: destPort, client: client, outbound: outbound,
		sendWindow: frame.InitialWindow,
		sendWake:   make(chan struct{}, 1),
		recv:       recvHalf{window: frame.InitialWindow, wake: make(chan struct{}, 1)},
	}
}

// ID is the stream's id in its tunnel.
func (st *Stream) ID() frame.StreamID { return st.id }

// DestPort is the public port the client reached (443, 853).
func (st *Stream) DestPort() uint16 { return st.destPort }

// Client is the client's address on the internet; the zero value when the
// node did not know it.
func (st *Stream) Client() netip.AddrPort { return st.client }

// Read reads the stream's bytes. Consuming them gives the peer credit
// back: a WINDOW_UPDATE once half a window has been read. It returns
// io.EOF after the peer's CLOSE and the bytes before it, a *ResetError or
// *RefusedError when the stream was aborted, and an error wrapping
// ErrSessionClosed when the tunnel ended.
func (st *Stream) Read(p []byte) (int, error) {
	st.rmu.Lock()
	defer st.rmu.Unlock()
	for {
		n, grant, err := st.recv.take(p, &st.sess.stats)
		if grant > 0 {
			st.sess.grant(st, grant)
		}
		if n > 0 || err != nil || len(p) == 0 {
			return n, err
		}
		select {
		case <-st.recv.wake:
		case <-st.readDeadline.wait():
			return 0, os.ErrDeadlineExceeded
		}
	}
}

// Write sends p as DATA, waiting for credit when the peer's window is
// spent. On a daemon's stream not yet confirmed it confirms it first.
func (st *Stream) Write(p []byte) (int, error) {
	st.wmu.Lock()
	defer st.wmu.Unlock()
	return st.write(context.Background(), p)
}

func (st *Stream) write(ctx context.Context, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := st.sendChunk(ctx, func(b []byte) (int, error) { return copy(b, p[n:]), nil })
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ReadFrom sends what it reads from r until io.EOF, reading each chunk
// straight into the message that carries it. It does not close the
// stream.
func (st *Stream) ReadFrom(r io.Reader) (int64, error) {
	st.wmu.Lock()
	defer st.wmu.Unlock()
	var total int64
	for {
		n, err := st.sendChunk(context.Background(), r.Read)
		total += int64(n)
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// sendChunk waits for credit, fills one DATA message (header, then the
// payload straight after it) and hands it to the writer.
func (st *Stream) sendChunk(ctx context.Context, fill func([]byte) (int, error)) (int, error) {
	limit, err := st.awaitCredit(ctx)
	if err != nil {
		return 0, err
	}
	buf := getBuf()
	b := frame.AppendV2Header((*buf)[:0], frame.V2Data, st.id)
	n, ferr := fill(b[frame.HeaderLen : frame.HeaderLen+limit])
	if n <= 0 {
		putBuf(buf)
		return 0, ferr
	}
	*buf = b[:frame.HeaderLen+n]
	if err := st.place(ctx, buf, n); err != nil {
		putBuf(buf)
		return 0, err
	}
	return n, ferr
}

// awaitCredit waits until the stream may send, and says how much at most.
func (st *Stream) awaitCredit(ctx context.Context) (int, error) {
	s := st.sess
	blocked := false
	for {
		s.mu.Lock()
		err := st.writableLocked()
		if err == nil && st.sendWindow > 0 {
			limit := int64(frame.MaxPayload)
			if s.out.busy() {
				limit = fairChunk
			}
			limit = min(limit, st.sendWindow)
			s.mu.Unlock()
			return int(limit), nil
		}
		s.mu.Unlock()
		if err != nil {
			return 0, err
		}
		if !blocked {
			blocked = true
			s.stats.sendBlocked.Add(1)
		}
		if err := st.waitSend(ctx); err != nil {
			return 0, err
		}
	}
}

// place hands buf (n bytes of payload) to the writer once the previous
// DATA has been taken; sess.mu is not held.
func (st *Stream) place(ctx context.Context, buf *[]byte, n int) error {
	s := st.sess
	for {
		s.mu.Lock()
		err := st.writableLocked()
		if err == nil && st.slot.b == nil {
			st.slot = pooledMessage(buf)
			st.sendWindow -= int64(n)
			s.out.pushSender(st)
			s.mu.Unlock()
			s.stats.bytesSent.Add(uint64(n))
			return nil
		}
		s.mu.Unlock()
		if err != nil {
			return err
		}
		if err := st.waitSend(ctx); err != nil {
			return err
		}
	}
}

// writableLocked says why the stream cannot send, or confirms a daemon's
// stream on its first write; sess.mu is held.
func (st *Stream) writableLocked() error {
	switch {
	case st.sendErr != nil:
		return st.sendErr
	case st.appClosed:
		return net.ErrClosed
	case st.sendClosed:
		return ErrWriteClosed
	}
	if !st.outbound && !st.opened {
		st.sess.confirmLocked(st)
	}
	return nil
}

func (st *Stream) waitSend(ctx context.Context) error {
	select {
	case <-st.sendWake:
		return nil
	case <-st.writeDeadline.wait():
		return os.ErrDeadlineExceeded
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next gives the writer the stream's pending DATA (sender); sess.mu is
// held.
func (st *Stream) next() (message, bool, bool) {
	m := st.slot
	st.slot = message{}
	signal(st.sendWake)
	if st.finAfterSlot {
		st.finAfterSlot = false
		st.sess.pushFrameLocked(frame.V2Frame{Type: frame.V2Close, Stream: st.id})
	}
	return m, m.b != nil, false
}

// CloseWrite sends CLOSE after the data already written: the peer reads
// EOF. Reads go on until the peer closes too.
func (st *Stream) CloseWrite() error {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.ended || st.sendClosed {
		return nil
	}
	s.closeWriteLocked(st)
	return nil
}

// Close ends the stream for this side: reads and writes fail with
// net.ErrClosed. It sends CLOSE after the data already written when the
// peer has closed or nothing unread is buffered, and RESET (cancel) when
// unread data would be lost, as TCP does; data arriving later resets the
// stream. Closing a daemon's stream not yet confirmed refuses it.
func (st *Stream) Close() error {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.appClosed {
		return nil
	}
	st.appClosed = true
	signal(st.sendWake)
	unread := st.recv.closeLocal(&s.stats)
	switch {
	case st.ended:
	case !st.outbound && !st.opened:
		s.refuseLocked(st, frame.RefuseUnspecified)
	case unread && !st.peerClosed:
		s.resetLocked(st, frame.ResetCancel)
	case !st.sendClosed:
		s.closeWriteLocked(st)
	}
	return nil
}

// Reset aborts the stream in both directions with code (RESET): the peer
// discards what it buffered and does not answer.
func (st *Stream) Reset(code frame.ResetCode) error {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if !st.ended {
		s.resetLocked(st, code)
	}
	return nil
}

// Confirm answers a daemon's stream with OPEN_OK, once its local
// connection is up; the first Write does it too. It fails with
// ErrWrongSide on a stream this side opened.
func (st *Stream) Confirm() error {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.outbound {
		return ErrWrongSide
	}
	if st.sendErr != nil {
		return st.sendErr
	}
	if !st.opened && !st.ended {
		s.confirmLocked(st)
	}
	return nil
}

// Refuse answers a daemon's stream not yet confirmed with OPEN_REFUSED:
// the stream ends for both sides and what the node sent is dropped.
func (st *Stream) Refuse(reason frame.RefuseReason) error {
	s := st.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case st.outbound:
		return ErrWrongSide
	case st.opened:
		return errors.New("tunnel stream already confirmed")
	case !st.ended:
		s.refuseLocked(st, reason)
	}
	return nil
}

// LocalAddr names the stream within its tunnel.
func (st *Stream) LocalAddr() net.Addr { return Addr{Stream: st.id} }

// RemoteAddr is the client's address when the node knew it, otherwise the
// stream's tunnel address.
func (st *Stream) RemoteAddr() net.Addr {
	if st.client.Addr().IsValid() {
		return net.TCPAddrFromAddrPort(st.client)
	}
	return Addr{Stream: st.id}
}

// Addr is a stream's address within its tunnel.
type Addr struct {
	Stream frame.StreamID
}

// Network is "wardnet-tunnel".
func (Addr) Network() string { return "wardnet-tunnel" }

func (a Addr) String() string { return "stream/" + strconv.FormatUint(uint64(a.Stream), 10) }
