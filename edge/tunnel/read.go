package tunnel

import (
	"errors"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// receive handles one message: skipped when frame.DecodeV2 says so, an
// error (the session ends) when malformed or against the rules.
func (s *Session) receive(msg []byte) error {
	f, err := frame.DecodeV2(msg)
	switch {
	case errors.Is(err, frame.ErrIgnored):
		s.stats.ignored.Add(1)
		return nil
	case err != nil:
		return err
	}
	switch f.Type {
	case frame.V2Ping:
		return s.handlePing(&f)
	case frame.V2Pong:
		s.handlePong(&f)
		return nil
	case frame.V2GoAway:
		return s.handleGoAway(&f)
	case frame.V2Open:
		return s.handleOpen(&f)
	case frame.V2FlowOpen:
		return s.handleFlowOpen(&f)
	case frame.V2Data:
		return s.handleData(&f)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, fl, err := s.lookupLocked(f.Stream)
	switch {
	case fl != nil:
		return s.flowFrameLocked(fl, &f)
	case st != nil:
		return s.streamFrameLocked(st, &f)
	}
	return err
}

// lookupLocked finds what a frame names: a stream, a flow, nothing (it
// ended: the frame is ignored) or an error (never opened).
func (s *Session) lookupLocked(id frame.StreamID) (*Stream, *Flow, error) {
	if st, ok := s.streams[id]; ok {
		return st, nil, nil
	}
	if fl, ok := s.flows[id]; ok {
		return nil, fl, nil
	}
	if !s.openedLocked(id) {
		return nil, nil, protocolErr("a frame for stream %d, not opened yet", id)
	}
	s.stats.ignored.Add(1)
	return nil, nil, nil
}

// handleData appends a DATA payload to its stream's buffer, outside the
// session's lock (the copy is the data path's one cost).
func (s *Session) handleData(f *frame.V2Frame) error {
	s.mu.Lock()
	st, fl, err := s.lookupLocked(f.Stream)
	switch {
	case fl != nil:
		defer s.mu.Unlock()
		return s.resetFlowLocked(fl, frame.ResetProtocolError)
	case st == nil:
		s.mu.Unlock()
		return err
	}
	if code, bad := dataRefusal(st); bad {
		defer s.mu.Unlock()
		return s.resetPeerLocked(st, code)
	}
	s.mu.Unlock()
	if st.recv.deliver(f.Payload, &s.stats) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.ended {
		return nil
	}
	return s.resetPeerLocked(st, frame.ResetFlowControl)
}

// dataRefusal says whether DATA may arrive on st now, and the RESET code
// when not: before OPEN_OK, after the peer's CLOSE, after this side's
// Close.
func dataRefusal(st *Stream) (frame.ResetCode, bool) {
	switch {
	case st.outbound && !st.opened, st.peerClosed:
		return frame.ResetProtocolError, true
	case st.appClosed:
		return frame.ResetCancel, true
	}
	return 0, false
}

// resetPeerLocked resets a stream because of what the peer sent.
func (s *Session) resetPeerLocked(st *Stream, code frame.ResetCode) error {
	if err := s.out.peerBudget(); err != nil {
		return err
	}
	s.resetLocked(st, code)
	return nil
}

// streamFrameLocked handles a frame for a live stream, DATA aside.
func (s *Session) streamFrameLocked(st *Stream, f *frame.V2Frame) error {
	switch f.Type {
	case frame.V2WindowUpdate:
		return s.addCreditLocked(st, f.Increment)
	case frame.V2Close:
		if st.peerClosed || st.outbound && !st.opened {
			return s.resetPeerLocked(st, frame.ResetProtocolError)
		}
		s.peerClosedLocked(st)
	case frame.V2Reset:
		s.stats.streamsReset.Add(1)
		s.endStreamLocked(st, &ResetError{Code: knownReset(f.Reset), Remote: true})
	case frame.V2OpenOK:
		if !st.outbound {
			return s.resetPeerLocked(st, frame.ResetProtocolError)
		}
		s.markOpenedLocked(st)
	case frame.V2OpenRefused:
		if !st.outbound || st.opened {
			return s.resetPeerLocked(st, frame.ResetProtocolError)
		}
		s.stats.streamsRefused.Add(1)
		s.endStreamLocked(st, &RefusedError{Reason: knownRefusal(f.Refuse)})
	default: // DATAGRAM on a stream
		return s.resetPeerLocked(st, frame.ResetProtocolError)
	}
	return nil
}

// addCreditLocked applies a WINDOW_UPDATE: ignored once this side's
// direction is closed, a flow-control error over frame.MaxWindow.
func (s *Session) addCreditLocked(st *Stream, inc uint32) error {
	s.stats.windowReceived.Add(1)
	if st.sendClosed {
		return nil
	}
	if st.sendWindow+int64(inc) > frame.MaxWindow {
		return s.resetPeerLocked(st, frame.ResetFlowControl)
	}
	st.sendWindow += int64(inc)
	signal(st.sendWake)
	return nil
}

// markOpenedLocked records the daemon's OPEN_OK for a node's stream; a
// repeated one changes nothing.
func (s *Session) markOpenedLocked(st *Stream) {
	if st.opened {
		return
	}
	st.opened = true
	s.pending--
	if st.openTimer != nil {
		st.openTimer.Stop()
	}
}

// knownReset and knownRefusal read a value the package does not know as
// value 0 of its table, as the specification says.
func knownReset(c frame.ResetCode) frame.ResetCode {
	if c > frame.ResetIdleTimeout {
		return frame.ResetCancel
	}
	return c
}

func knownRefusal(r frame.RefuseReason) frame.RefuseReason {
	if r > frame.RefuseTooManyStreams {
		return frame.RefuseUnspecified
	}
	return r
}
