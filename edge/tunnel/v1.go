package tunnel

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// V1Options are a v1 session's limits (contract §6.3). The zero value of
// a field takes its default.
type V1Options struct {
	// MaxStreams bounds the streams open at once (default 1024).
	MaxStreams int
	// MaxPending bounds the CONNECTs awaiting READY (default 256).
	MaxPending int
	// ReadyTimeout is how long OpenStream waits for READY (default 10 s).
	ReadyTimeout time.Duration
	// StreamQueue bounds the DATA messages received on a stream and not
	// yet read (default 64). v1 has no flow control: a daemon that
	// outruns the queue loses the stream (CLOSE, ErrOverflow).
	StreamQueue int
}

// The defaults of V1Options.
const (
	DefaultV1MaxStreams   = 1024
	DefaultV1MaxPending   = 256
	DefaultV1ReadyTimeout = 10 * time.Second
	DefaultV1StreamQueue  = 64
)

// v1Chunk is the most a v1 DATA carries: the node reads clients in chunks
// of at most 16 KiB (contract §6.3).
const v1Chunk = 16 << 10

func (o V1Options) withDefaults() V1Options {
	if o.MaxStreams <= 0 {
		o.MaxStreams = DefaultV1MaxStreams
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultV1MaxPending
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultV1ReadyTimeout
	}
	if o.StreamQueue <= 0 {
		o.StreamQueue = DefaultV1StreamQueue
	}
	return o
}

// V1Session is the node's end of a v1 tunnel (contract §6.3), for daemons
// that offer no subprotocol: CONNECT, READY before any DATA, CLOSE, PING
// answered by PONG in both directions. Run drives it; every method is safe
// for concurrent use.
type V1Session struct {
	core
	opts V1Options

	// Guarded by mu.
	streams map[frame.ConnID]*V1Stream
	nextID  frame.ConnID
	pending int
	pongs   []chan struct{} // Pings waiting for a PONG
}

// NewV1Node returns the node's end of a v1 tunnel over conn. Call Run.
func NewV1Node(conn MessageConn, opts V1Options) *V1Session {
	s := &V1Session{core: newCore(conn), opts: opts.withDefaults(), streams: make(map[frame.ConnID]*V1Stream)}
	s.endAll = func(cause error) {
		for _, st := range s.streams {
			s.endLocked(st, cause)
		}
	}
	return s
}

// Run reads and writes the tunnel until it ends; as Session.Run.
func (s *V1Session) Run(ctx context.Context) error {
	return s.run(ctx, func(ctx context.Context) { s.readLoop(ctx, s.receive) }, nil)
}

// Close ends the session with code; as Session.Close.
func (s *V1Session) Close(code frame.CloseCode) error {
	s.end(&CloseError{Code: code, Reason: closeReason(code)}, true)
	return nil
}

// Done is closed when the session has ended.
func (s *V1Session) Done() <-chan struct{} { return s.done }

// Err is how the session ended (a *CloseError), or nil while it runs.
func (s *V1Session) Err() error { return s.getErr() }

// Stats returns the session's counters.
func (s *V1Session) Stats() Stats {
	st := s.stats.snapshot()
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Streams, st.Pending = len(s.streams), s.pending
	return st
}

// OpenStream sends CONNECT for destPort and waits for READY (at most
// V1Options.ReadyTimeout, ErrOpenTimeout), then sends firstBytes. v1 does
// not carry the client's address; client is accepted so that both
// versions open streams alike. A daemon that closes the stream before
// READY refuses it (*RefusedError).
func (s *V1Session) OpenStream(ctx context.Context, destPort uint16, _ netip.AddrPort, firstBytes []byte) (*V1Stream, error) {
	st, err := s.open(destPort)
	if err != nil {
		return nil, err
	}
	if err := st.awaitReady(ctx, s.opts.ReadyTimeout); err != nil {
		_ = st.Close()
		return nil, err
	}
	if len(firstBytes) > 0 {
		if _, err := st.Write(firstBytes); err != nil {
			_ = st.Close()
			return nil, fmt.Errorf("tunnel conn %d: first bytes: %w", st.id, err)
		}
	}
	return st, nil
}

func (s *V1Session) open(destPort uint16) (*V1Stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.err != nil:
		return nil, sessionEnded(s.err)
	case len(s.streams) >= s.opts.MaxStreams || s.pending >= s.opts.MaxPending:
		return nil, ErrTooManyStreams
	}
	for s.streams[s.nextID] != nil { // after a wrap, skip ids still in use
		s.nextID++
	}
	st := newV1Stream(s, s.nextID, destPort)
	s.nextID++
	s.streams[st.id] = st
	s.pending++
	s.pushLocked(frame.V1Frame{Type: frame.V1Connect, Conn: st.id, DestPort: destPort})
	s.stats.streamsOpened.Add(1)
	return st, nil
}

// Ping sends PING (conn 0) and waits for a PONG.
func (s *V1Session) Ping(ctx context.Context) (time.Duration, error) {
	pong := make(chan struct{})
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return 0, sessionEnded(s.err)
	}
	s.pongs = append(s.pongs, pong)
	s.pushLocked(frame.V1Frame{Type: frame.V1Ping})
	s.mu.Unlock()
	start := time.Now()
	select {
	case <-pong:
		return time.Since(start), nil
	case <-s.done:
		return 0, sessionEnded(s.Err())
	case <-ctx.Done():
		s.mu.Lock()
		s.pongs = slices.DeleteFunc(s.pongs, func(c chan struct{}) bool { return c == pong })
		s.mu.Unlock()
		return 0, ctx.Err()
	}
}

// receive handles one v1 message by contract §6.3: short messages and
// unknown types are skipped, so is anything for an unknown conn; a
// malformed message ends the session.
func (s *V1Session) receive(msg []byte) error {
	f, err := frame.DecodeV1(msg)
	switch {
	case errors.Is(err, frame.ErrIgnored):
		s.stats.ignored.Add(1)
		return nil
	case err != nil:
		return err
	}
	if f.Type == frame.V1Data {
		return s.handleData(f.Conn, f.Payload)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.Type {
	case frame.V1Ping:
		s.stats.pingsReceived.Add(1)
		if err := s.out.peerBudget(); err != nil {
			return err
		}
		s.pushLocked(frame.V1Frame{Type: frame.V1Pong, Conn: f.Conn})
	case frame.V1Pong:
		s.stats.pongsReceived.Add(1)
		for _, p := range s.pongs {
			close(p)
		}
		s.pongs = nil
	case frame.V1Ready, frame.V1Close:
		st := s.streams[f.Conn]
		switch {
		case st == nil:
			s.stats.ignored.Add(1)
		case f.Type == frame.V1Ready:
			s.readyLocked(st)
		default:
			s.peerClosedLocked(st)
		}
	default: // CONNECT goes node → daemon: a node ignores one
		s.stats.ignored.Add(1)
	}
	return nil
}

// handleData queues a copy of a DATA payload on its stream; a stream whose
// queue is full is closed.
func (s *V1Session) handleData(id frame.ConnID, payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[id]
	if st == nil || !st.ready {
		s.stats.ignored.Add(1) // unknown, or not READY yet: nothing to splice it to
		return nil
	}
	if st.rx.len() >= s.opts.StreamQueue {
		if err := s.out.peerBudget(); err != nil {
			return err
		}
		s.stats.overflows.Add(1)
		s.pushLocked(frame.V1Frame{Type: frame.V1Close, Conn: st.id})
		st.sendClosed = true
		s.endLocked(st, ErrOverflow)
		return nil
	}
	st.rx.push(append([]byte(nil), payload...))
	st.rxBytes += len(payload)
	s.stats.buffered(int64(len(payload)), int64(st.rxBytes))
	signal(st.rxWake)
	return nil
}

// pushLocked queues a v1 control frame (every type but DATA).
func (s *V1Session) pushLocked(f frame.V1Frame) {
	b, err := frame.AppendV1(nil, f)
	if err != nil {
		panic(fmt.Sprintf("tunnel: encoding a v1 %s the session built: %v", f.Type, err))
	}
	s.out.pushControl(b)
}
