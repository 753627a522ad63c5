package tunnel

import (
	"fmt"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// The state changes of a stream. Every one is called with sess.mu held,
// and takes the stream's recv.mu after it (never the other way round).

// pushFrameLocked queues a control frame. The frames the session builds
// are valid by construction; one that does not encode is a bug.
func (s *Session) pushFrameLocked(f frame.V2Frame) {
	b, err := frame.AppendV2(nil, f)
	if err != nil {
		panic(fmt.Sprintf("tunnel: encoding a %s the session built: %v", f.Type, err))
	}
	s.out.pushControl(b)
}

// pushPeerFrameLocked queues a control frame the peer's frames asked for
// (a PONG, a RESET, a refusal): when the writer is that far behind, the
// peer floods faster than it reads.
func (s *Session) pushPeerFrameLocked(f frame.V2Frame) error {
	if err := s.out.peerBudget(); err != nil {
		return err
	}
	s.pushFrameLocked(f)
	return nil
}

// confirmLocked sends OPEN_OK for a daemon's stream.
func (s *Session) confirmLocked(st *Stream) {
	st.opened = true
	s.pending--
	s.pushFrameLocked(frame.V2Frame{Type: frame.V2OpenOK, Stream: st.id})
}

// refuseLocked sends OPEN_REFUSED for a daemon's stream and ends it.
func (s *Session) refuseLocked(st *Stream, reason frame.RefuseReason) {
	s.pushFrameLocked(frame.V2Frame{Type: frame.V2OpenRefused, Stream: st.id, Refuse: reason})
	s.stats.streamsRefused.Add(1)
	s.endStreamLocked(st, &RefusedError{Reason: reason})
}

// resetLocked sends RESET and ends the stream.
func (s *Session) resetLocked(st *Stream, code frame.ResetCode) {
	s.pushFrameLocked(frame.V2Frame{Type: frame.V2Reset, Stream: st.id, Reset: code})
	s.stats.streamsReset.Add(1)
	s.endStreamLocked(st, &ResetError{Code: code})
}

// closeWriteLocked sends CLOSE after the DATA already handed over, and
// removes the stream once the peer has closed too.
func (s *Session) closeWriteLocked(st *Stream) {
	if !st.outbound && !st.opened {
		s.confirmLocked(st)
	}
	st.sendClosed = true
	signal(st.sendWake)
	if st.slot.b != nil {
		st.finAfterSlot = true
	} else {
		s.pushFrameLocked(frame.V2Frame{Type: frame.V2Close, Stream: st.id})
	}
	if st.peerClosed {
		s.detachLocked(st)
	}
}

// peerClosedLocked records the peer's CLOSE.
func (s *Session) peerClosedLocked(st *Stream) {
	st.peerClosed = true
	st.recv.setEOF()
	if st.sendClosed {
		s.detachLocked(st)
	}
}

// detachLocked takes a stream out of the table: both sides have closed,
// or it failed. Its pending DATA and CLOSE still go out.
func (s *Session) detachLocked(st *Stream) {
	if st.ended {
		return
	}
	st.ended = true
	delete(s.streams, st.id)
	if !st.opened {
		s.pending--
	}
	if st.openTimer != nil {
		st.openTimer.Stop()
	}
}

// endStreamLocked aborts a stream with err: writes and reads fail with it,
// pending DATA and buffered data are dropped.
func (s *Session) endStreamLocked(st *Stream, err error) {
	s.detachLocked(st)
	if st.sendErr == nil {
		st.sendErr = err
	}
	st.slot.release()
	st.slot, st.finAfterSlot = message{}, false
	signal(st.sendWake)
	st.recv.fail(err, &s.stats)
}

// grant gives the peer back credit the stream's reader consumed.
func (s *Session) grant(st *Stream, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.ended || s.err != nil {
		return
	}
	s.pushFrameLocked(frame.V2Frame{Type: frame.V2WindowUpdate, Stream: st.id, Increment: uint32(n)})
	s.stats.windowSent.Add(1)
}
