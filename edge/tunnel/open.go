package tunnel

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// OpenStream opens a stream to destPort for a client (the zero AddrPort
// when unknown) on a node's session: it sends OPEN and, straight after
// it, firstBytes (the ClientHello) as DATA, without waiting for the
// daemon's answer. The stream's reads wait for OPEN_OK; OPEN_REFUSED makes
// them fail with *RefusedError, and no answer within Options.OpenTimeout
// resets the stream (ErrOpenTimeout). ctx bounds the wait for credit to
// send firstBytes. It fails with ErrTooManyStreams over MaxStreams or
// MaxPending, and with ErrGoAway once the daemon has sent GOAWAY.
func (s *Session) OpenStream(ctx context.Context, destPort uint16, client netip.AddrPort, firstBytes []byte) (*Stream, error) {
	st, err := s.open(destPort, client)
	if err != nil {
		return nil, err
	}
	if len(firstBytes) > 0 {
		st.wmu.Lock()
		_, err = st.write(ctx, firstBytes)
		st.wmu.Unlock()
		if err != nil {
			_ = st.Reset(frame.ResetCancel)
			return nil, fmt.Errorf("tunnel stream %d: first bytes: %w", st.id, err)
		}
	}
	return st, nil
}

func (s *Session) open(destPort uint16, client netip.AddrPort) (*Stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.canOpenLocked(len(s.streams) >= s.opts.MaxStreams || s.pending >= s.opts.MaxPending); err != nil {
		return nil, err
	}
	id := s.nextID
	b, err := frame.AppendV2(nil, frame.V2Frame{Type: frame.V2Open, Stream: id, DestPort: destPort, Client: client})
	if err != nil {
		return nil, fmt.Errorf("tunnel open to port %d: %w", destPort, err)
	}
	s.nextID += 2
	st := newStream(s, id, destPort, client, true)
	s.streams[id] = st
	s.pending++
	s.out.pushControl(b)
	s.stats.streamsOpened.Add(1)
	if s.opts.OpenTimeout > 0 {
		st.openTimer = time.AfterFunc(s.opts.OpenTimeout, func() { s.openTimedOut(st) })
	}
	return st, nil
}

// canOpenLocked says why this side may not open a stream or flow now.
func (s *Session) canOpenLocked(full bool) error {
	switch {
	case s.side != node:
		return ErrWrongSide
	case s.err != nil:
		return sessionEnded(s.err)
	case s.peerGoAway != nil:
		return ErrGoAway
	case s.nextID > math.MaxUint32-2:
		if !s.goAwaySent { // the tunnel must be replaced to open more
			_ = s.goAwayLocked(frame.GoAwayDraining, "")
		}
		return ErrIdsExhausted
	case full:
		return ErrTooManyStreams
	}
	return nil
}

// openTimedOut resets a stream the daemon did not answer in time.
func (s *Session) openTimedOut(st *Stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.ended || st.opened {
		return
	}
	s.pushFrameLocked(frame.V2Frame{Type: frame.V2Reset, Stream: st.id, Reset: frame.ResetCancel})
	s.stats.openTimeouts.Add(1)
	s.endStreamLocked(st, ErrOpenTimeout)
}

// Accept returns the next stream the node opened, on a daemon's session:
// DestPort and Client say where it goes and for whom. Confirm it (or
// write to it) once the local connection is up, or Refuse it. The node's
// first bytes may already be readable.
func (s *Session) Accept(ctx context.Context) (*Stream, error) {
	if s.side != daemon {
		return nil, ErrWrongSide
	}
	for {
		if st := s.popAccepted(); st != nil {
			return st, nil
		}
		select {
		case <-s.acceptWake:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.done:
			return nil, sessionEnded(s.Err())
		}
	}
}

// popAccepted takes the next stream waiting for Accept, skipping those the
// node reset meanwhile.
func (s *Session) popAccepted() *Stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		st, ok := s.accepts.pop()
		if !ok {
			return nil
		}
		if !st.ended {
			if s.accepts.len() > 0 {
				signal(s.acceptWake) // for another Accept waiting
			}
			return st
		}
	}
}

// queueAcceptLocked hands a stream to Accept. The queue holds the pending
// streams (at most MaxPending) and those that ended before Accept took
// them, which it sheds when it reaches the limit.
func (s *Session) queueAcceptLocked(st *Stream) {
	if s.accepts.len() >= s.opts.MaxPending {
		var live queue[*Stream]
		s.accepts.drain(func(q *Stream) {
			if !q.ended {
				live.push(q)
			}
		})
		s.accepts = live
	}
	s.accepts.push(st)
	signal(s.acceptWake)
}

// handleOpen takes the peer's OPEN: a daemon queues the stream for Accept
// unless a limit or its own GOAWAY refuses it; a node refuses every one
// (daemons open no streams today).
func (s *Session) handleOpen(f *frame.V2Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkPeerOpenLocked(f.Stream); err != nil {
		return err
	}
	if reason, refuse := s.refusalLocked(f.Stream, len(s.streams) >= s.opts.MaxStreams || s.pending >= s.opts.MaxPending); refuse {
		s.stats.streamsRefused.Add(1)
		return s.pushPeerFrameLocked(frame.V2Frame{Type: frame.V2OpenRefused, Stream: f.Stream, Refuse: reason})
	}
	st := newStream(s, f.Stream, f.DestPort, f.Client, false)
	s.streams[f.Stream] = st
	s.pending++
	s.lastTaken = f.Stream
	s.stats.streamsAccepted.Add(1)
	s.queueAcceptLocked(st)
	return nil
}

// checkPeerOpenLocked enforces the id rules for an OPEN or FLOW_OPEN: the
// peer's parity, and greater than its previous one.
func (s *Session) checkPeerOpenLocked(id frame.StreamID) error {
	if s.ownID(id) || id <= s.lastPeer {
		return protocolErr("open of stream %d: wrong parity or not above %d", id, s.lastPeer)
	}
	s.lastPeer = id
	return nil
}

// refusalLocked says whether to refuse a peer's OPEN or FLOW_OPEN, and why.
func (s *Session) refusalLocked(id frame.StreamID, full bool) (frame.RefuseReason, bool) {
	switch {
	case s.side == node:
		return frame.RefusePortNotServed, true
	case s.goAwaySent && id > s.goAwayLast:
		return frame.RefuseUnspecified, true
	case full:
		return frame.RefuseTooManyStreams, true
	}
	return 0, false
}

// ownID reports whether this side opens id.
func (s *Session) ownID(id frame.StreamID) bool { return id.OpenedByNode() == (s.side == node) }

// openedLocked reports whether id was opened already (it may have ended
// since); a frame naming an id not opened yet is a protocol error.
func (s *Session) openedLocked(id frame.StreamID) bool {
	if s.ownID(id) {
		return id < s.nextID
	}
	return id <= s.lastPeer
}
