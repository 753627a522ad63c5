package tunnel

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// GoAway is a GOAWAY the peer sent: it wants the tunnel to end. A node's
// (draining, rebalance) asks the daemon to move, to Hint if it names a
// host it trusts; a daemon's (shutdown) asks the node to route nothing new
// to it. LastStream is the highest id opened by the receiver that the
// sender took.
type GoAway struct {
	Reason     frame.GoAwayReason
	LastStream frame.StreamID
	Hint       string
}

// GoAway sends GOAWAY: this side wants the tunnel to end, and the peer
// should open nothing more on it. Its last_stream is the highest stream
// the peer opened that this side took; later OPENs from the peer are
// refused. This side keeps serving its streams and may still open new
// ones (make before break). hint is empty or a host[:port] in printable
// ASCII of at most frame.MaxHintLen bytes.
func (s *Session) GoAway(reason frame.GoAwayReason, hint string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return sessionEnded(s.err)
	}
	return s.goAwayLocked(reason, hint)
}

func (s *Session) goAwayLocked(reason frame.GoAwayReason, hint string) error {
	last := s.lastTaken
	if s.goAwaySent {
		last = min(last, s.goAwayLast)
	}
	b, err := frame.AppendV2(nil, frame.V2Frame{Type: frame.V2GoAway, GoAway: reason, LastStream: last, Hint: hint})
	if err != nil {
		return fmt.Errorf("tunnel GOAWAY: %w", err)
	}
	s.goAwaySent, s.goAwayLast = true, last
	s.out.pushControl(b)
	return nil
}

// GoAwayReceived delivers the peer's GOAWAY: the latest one when it sent
// several. A node's session stops opening streams at the first.
func (s *Session) GoAwayReceived() <-chan GoAway { return s.goAways }

// PeerGoAway is the latest GOAWAY the peer sent, if any.
func (s *Session) PeerGoAway() (GoAway, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peerGoAway == nil {
		return GoAway{}, false
	}
	return *s.peerGoAway, true
}

// handleGoAway records the peer's GOAWAY and ends this side's streams and
// flows above its last_stream: the peer never served them (ErrGoAway;
// they may be retried on another tunnel).
func (s *Session) handleGoAway(f *frame.V2Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.LastStream != 0 && !s.ownID(f.LastStream) {
		return protocolErr("GOAWAY last stream %d has the wrong parity", f.LastStream)
	}
	if s.peerGoAway != nil && f.LastStream > s.peerGoAway.LastStream {
		return protocolErr("GOAWAY last stream %d above the previous %d", f.LastStream, s.peerGoAway.LastStream)
	}
	g := GoAway{Reason: f.GoAway, LastStream: f.LastStream, Hint: f.Hint}
	if g.Reason > frame.GoAwayRebalance {
		g.Reason = frame.GoAwayShutdown
	}
	s.peerGoAway = &g
	for id, st := range s.streams {
		if s.ownID(id) && id > g.LastStream {
			s.endStreamLocked(st, ErrGoAway)
		}
	}
	for id, fl := range s.flows {
		if s.ownID(id) && id > g.LastStream {
			s.endFlowLocked(fl, ErrGoAway)
		}
	}
	select { // latest wins
	case <-s.goAways:
	default:
	}
	s.goAways <- g
	return nil
}

// Ping sends PING and waits for its PONG: the round trip through the
// peer's reader and writer.
func (s *Session) Ping(ctx context.Context) (time.Duration, error) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return 0, sessionEnded(s.err)
	}
	op, pong := s.pingLocked(true)
	s.mu.Unlock()
	start := time.Now()
	select {
	case <-pong:
		return time.Since(start), nil
	case <-s.done:
		return 0, sessionEnded(s.Err())
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.pings, op)
		s.mu.Unlock()
		return 0, ctx.Err()
	}
}

// pingLocked queues a PING with a fresh opaque value; wait registers a
// channel its PONG closes.
func (s *Session) pingLocked(wait bool) ([8]byte, chan struct{}) {
	s.pingSeq++
	var op [8]byte
	binary.BigEndian.PutUint64(op[:], s.pingSeq)
	var pong chan struct{}
	if wait {
		pong = make(chan struct{})
		s.pings[op] = pong
	}
	s.pushFrameLocked(frame.V2Frame{Type: frame.V2Ping, Opaque: op})
	return op, pong
}

// handlePing answers at once, ahead of DATA.
func (s *Session) handlePing(f *frame.V2Frame) error {
	s.stats.pingsReceived.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushPeerFrameLocked(frame.V2Frame{Type: frame.V2Pong, Opaque: f.Opaque})
}

// handlePong wakes the Ping it answers; one that answers none is ignored.
func (s *Session) handlePong(f *frame.V2Frame) {
	s.stats.pongsReceived.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if pong, ok := s.pings[f.Opaque]; ok {
		delete(s.pings, f.Opaque)
		close(pong)
	}
}

// tickLoop runs the session's timers: keepalive PINGs, the idle timeout,
// idle flows.
func (s *Session) tickLoop() {
	period := tickPeriod(s.opts)
	t := time.NewTicker(period)
	defer t.Stop()
	tk := ticks{lastPing: time.Now(), lastHeard: time.Now()}
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.tick(&tk, now)
		}
	}
}

// ticks is what tickLoop remembers between ticks.
type ticks struct {
	lastPing  time.Time
	lastHeard time.Time
	received  uint64
}

func (s *Session) tick(tk *ticks, now time.Time) {
	if n := s.received.Load(); n != tk.received {
		tk.received, tk.lastHeard = n, now
	}
	if s.opts.IdleTimeout > 0 && now.Sub(tk.lastHeard) >= s.opts.IdleTimeout {
		s.fail(&CloseError{Code: frame.CloseIdleTimeout, Reason: frame.CloseIdleTimeout.String()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	if s.opts.KeepAlive > 0 && now.Sub(tk.lastPing) >= s.opts.KeepAlive {
		tk.lastPing = now
		s.pingLocked(false)
	}
	s.sweepFlowsLocked(now)
}

// tickPeriod is often enough for every enabled timer to fire within a
// fraction of its duration.
func tickPeriod(o Options) time.Duration {
	p := time.Minute
	for _, d := range []time.Duration{o.KeepAlive, o.IdleTimeout / 3, o.FlowIdleTimeout / 4} {
		if d > 0 {
			p = min(p, d)
		}
	}
	return max(p, time.Millisecond)
}
