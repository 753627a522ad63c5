package tunnel

import (
	"context"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// side is which end of the tunnel a session is.
type side uint8

const (
	node   side = iota + 1 // opens streams and flows (odd ids)
	daemon                 // accepts them (opens even ids: none today)
)

// Session is one v2 tunnel over a MessageConn, at the node's end (NewNode:
// it opens streams and flows) or the daemon's (NewDaemon: it accepts
// them). Run drives it; every method is safe for concurrent use.
type Session struct {
	core
	side side
	opts Options

	acceptWake chan struct{} // capacity 1: a stream to accept
	flowWake   chan struct{} // capacity 1: a flow to accept
	goAways    chan GoAway   // the peer's latest GOAWAY

	// Guarded by mu.
	accepts    queue[*Stream] // daemon: opened streams for Accept
	flowAccept queue[*Flow]   // daemon: opened flows for AcceptFlow
	streams    map[frame.StreamID]*Stream
	flows      map[frame.StreamID]*Flow
	dgrams     datagramQueue
	nextID     frame.StreamID // this side's next stream or flow id
	lastPeer   frame.StreamID // the highest id the peer opened
	lastTaken  frame.StreamID // the highest peer id this side took
	pending    int            // streams opened and not yet answered
	pings      map[[8]byte]chan struct{}
	pingSeq    uint64
	goAwaySent bool
	goAwayLast frame.StreamID // the last_stream this side sent
	peerGoAway *GoAway
}

// NewNode returns the node's end of a v2 tunnel over conn. Call Run.
func NewNode(conn MessageConn, opts Options) *Session { return newSession(node, conn, opts) }

// NewDaemon returns the daemon's end of a v2 tunnel over conn. Call Run.
func NewDaemon(conn MessageConn, opts Options) *Session { return newSession(daemon, conn, opts) }

func newSession(sd side, conn MessageConn, opts Options) *Session {
	opts = opts.withDefaults()
	s := &Session{
		core:       newCore(conn),
		side:       sd,
		opts:       opts,
		acceptWake: make(chan struct{}, 1),
		flowWake:   make(chan struct{}, 1),
		goAways:    make(chan GoAway, 1),
		streams:    make(map[frame.StreamID]*Stream),
		flows:      make(map[frame.StreamID]*Flow),
		pings:      make(map[[8]byte]chan struct{}),
		nextID:     1,
	}
	if sd == daemon {
		s.nextID = 2
	}
	s.dgrams = datagramQueue{s: s, limit: opts.DatagramQueue}
	s.endAll = s.endAllLocked
	return s
}

// Run reads and writes the tunnel until it ends, and returns once every
// goroutine it started has. It returns nil when the session ended through
// ctx or Close, and Err otherwise (the peer closed, a protocol error, the
// transport failed). When ctx ends, the session closes with 1001.
func (s *Session) Run(ctx context.Context) error {
	return s.run(ctx, func(ctx context.Context) { s.readLoop(ctx, s.receive) }, s.tickLoop)
}

// Close ends the session: it sends the control frames already queued,
// closes the WebSocket with code (its name as the reason), and ends every
// stream and flow with an error wrapping ErrSessionClosed.
func (s *Session) Close(code frame.CloseCode) error {
	s.end(&CloseError{Code: code, Reason: closeReason(code)}, true)
	return nil
}

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is how the session ended (a *CloseError), or nil while it runs.
func (s *Session) Err() error { return s.getErr() }

// fail ends the session for a reason of its own or the peer's.
func (s *Session) fail(ce *CloseError) { s.end(ce, false) }

func (s *Session) endAllLocked(cause error) {
	for _, st := range s.streams {
		s.endStreamLocked(st, cause)
	}
	for _, fl := range s.flows {
		s.endFlowLocked(fl, cause)
	}
}
