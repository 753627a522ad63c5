package tunnel

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// Flow is the UDP traffic of one client address (docs/api/tunnel-protocol.md
// §3.5): DATAGRAMs in both directions, with no credit and no order beyond
// the tunnel's. Either side drops datagrams when its queue is full; a flow
// carrying nothing for Options.FlowIdleTimeout is closed.
type Flow struct {
	sess     *Session
	id       frame.StreamID
	destPort uint16
	client   netip.AddrPort
	outbound bool // this side opened it

	// Guarded by sess.mu.
	rx         queue[[]byte]
	rxWake     chan struct{} // capacity 1
	err        error         // why the flow ended: io.EOF after the peer's CLOSE
	ended      bool
	activity   uint64 // datagrams either way, for the idle sweep
	seen       uint64
	quietSince time.Time
}

func newFlow(s *Session, id frame.StreamID, destPort uint16, client netip.AddrPort, outbound bool) *Flow {
	return &Flow{sess: s, id: id, destPort: destPort, client: client, outbound: outbound,
		rxWake: make(chan struct{}, 1), quietSince: time.Now()}
}

// ID is the flow's id in its tunnel.
func (fl *Flow) ID() frame.StreamID { return fl.id }

// DestPort is the public UDP port the client reached.
func (fl *Flow) DestPort() uint16 { return fl.destPort }

// Client is the client's address.
func (fl *Flow) Client() netip.AddrPort { return fl.client }

// OpenFlow opens a UDP flow for client on a node's session (FLOW_OPEN);
// datagrams may follow at once, with no answer awaited. It fails with
// ErrTooManyStreams over Options.MaxFlows.
func (s *Session) OpenFlow(destPort uint16, client netip.AddrPort) (*Flow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.canOpenLocked(len(s.flows) >= s.opts.MaxFlows); err != nil {
		return nil, err
	}
	id := s.nextID
	b, err := frame.AppendV2(nil, frame.V2Frame{Type: frame.V2FlowOpen, Stream: id, DestPort: destPort, Client: client})
	if err != nil {
		return nil, fmt.Errorf("tunnel flow to port %d: %w", destPort, err)
	}
	s.nextID += 2
	fl := newFlow(s, id, destPort, client, true)
	s.flows[id] = fl
	s.out.pushControl(b)
	s.stats.flowsOpened.Add(1)
	return fl, nil
}

// AcceptFlow returns the next flow the node opened, on a daemon's session.
func (s *Session) AcceptFlow(ctx context.Context) (*Flow, error) {
	if s.side != daemon {
		return nil, ErrWrongSide
	}
	for {
		if fl := s.popFlow(); fl != nil {
			return fl, nil
		}
		select {
		case <-s.flowWake:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.done:
			return nil, sessionEnded(s.Err())
		}
	}
}

func (s *Session) popFlow() *Flow {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		fl, ok := s.flowAccept.pop()
		if !ok {
			return nil
		}
		if !fl.ended {
			if s.flowAccept.len() > 0 {
				signal(s.flowWake)
			}
			return fl
		}
	}
}

// handleFlowOpen takes the peer's FLOW_OPEN, refused over MaxFlows.
func (s *Session) handleFlowOpen(f *frame.V2Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkPeerOpenLocked(f.Stream); err != nil {
		return err
	}
	if reason, refuse := s.refusalLocked(f.Stream, len(s.flows) >= s.opts.MaxFlows); refuse {
		s.stats.streamsRefused.Add(1)
		return s.pushPeerFrameLocked(frame.V2Frame{Type: frame.V2OpenRefused, Stream: f.Stream, Refuse: reason})
	}
	fl := newFlow(s, f.Stream, f.DestPort, f.Client, false)
	s.flows[f.Stream] = fl
	s.lastTaken = f.Stream
	s.stats.flowsOpened.Add(1)
	if s.flowAccept.len() >= s.opts.MaxFlows {
		var live queue[*Flow]
		s.flowAccept.drain(func(q *Flow) {
			if !q.ended {
				live.push(q)
			}
		})
		s.flowAccept = live
	}
	s.flowAccept.push(fl)
	signal(s.flowWake)
	return nil
}

// Send queues p as one DATAGRAM (p is copied). It never waits: when the
// session's datagram queue is full the oldest datagram is dropped. It
// fails once the flow has ended.
func (fl *Flow) Send(p []byte) error {
	if len(p) > frame.MaxPayload {
		return fmt.Errorf("tunnel flow %d: a %d-byte datagram, over %d: %w", fl.id, len(p), frame.MaxPayload, frame.ErrInvalid)
	}
	buf := getBuf()
	*buf = append(frame.AppendV2Header((*buf)[:0], frame.V2Datagram, fl.id), p...)
	s := fl.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if fl.err != nil {
		putBuf(buf)
		return fl.err
	}
	fl.activity++
	s.dgrams.pushLocked(pooledMessage(buf))
	return nil
}

// Receive returns the next datagram. It returns io.EOF after the peer's
// CLOSE, ErrFlowIdle after the idle timeout, and the reason otherwise once
// the flow has ended.
func (fl *Flow) Receive(ctx context.Context) ([]byte, error) {
	s := fl.sess
	for {
		s.mu.Lock()
		p, ok := fl.rx.pop()
		err := fl.err
		s.mu.Unlock()
		switch {
		case ok:
			return p, nil
		case err != nil:
			return nil, err
		}
		select {
		case <-fl.rxWake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close sends CLOSE: the flow ends in both directions.
func (fl *Flow) Close() error {
	s := fl.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if !fl.ended {
		s.pushFrameLocked(frame.V2Frame{Type: frame.V2Close, Stream: fl.id})
		s.endFlowLocked(fl, io.EOF)
	}
	return nil
}

// flowFrameLocked handles a frame for a live flow.
func (s *Session) flowFrameLocked(fl *Flow, f *frame.V2Frame) error {
	switch {
	case f.Type == frame.V2Datagram:
		fl.deliverLocked(f.Payload, s)
	case f.Type == frame.V2Close:
		s.endFlowLocked(fl, io.EOF)
	case f.Type == frame.V2Reset:
		s.endFlowLocked(fl, &ResetError{Code: knownReset(f.Reset), Remote: true})
	case f.Type == frame.V2OpenRefused && fl.outbound:
		s.stats.streamsRefused.Add(1)
		s.endFlowLocked(fl, &RefusedError{Reason: knownRefusal(f.Refuse)})
	default: // DATA, WINDOW_UPDATE, OPEN_OK on a flow
		return s.resetFlowLocked(fl, frame.ResetProtocolError)
	}
	return nil
}

func (fl *Flow) deliverLocked(p []byte, s *Session) {
	fl.activity++
	s.stats.datagramsReceived.Add(1)
	if fl.rx.len() >= s.opts.FlowQueue {
		s.stats.dropReceiving.Add(1)
		return
	}
	fl.rx.push(append([]byte(nil), p...))
	signal(fl.rxWake)
}

// resetFlowLocked resets a flow the peer misused.
func (s *Session) resetFlowLocked(fl *Flow, code frame.ResetCode) error {
	if err := s.pushPeerFrameLocked(frame.V2Frame{Type: frame.V2Reset, Stream: fl.id, Reset: code}); err != nil {
		return err
	}
	s.endFlowLocked(fl, &ResetError{Code: code})
	return nil
}

// endFlowLocked takes a flow out of the table; Receive returns what is
// queued, then err.
func (s *Session) endFlowLocked(fl *Flow, err error) {
	if fl.ended {
		return
	}
	fl.ended, fl.err = true, err
	delete(s.flows, fl.id)
	signal(fl.rxWake)
}

// sweepFlowsLocked closes the flows that carried nothing for the idle
// timeout (CLOSE, as either side may).
func (s *Session) sweepFlowsLocked(now time.Time) {
	if s.opts.FlowIdleTimeout <= 0 {
		return
	}
	for _, fl := range s.flows {
		if fl.activity != fl.seen {
			fl.seen, fl.quietSince = fl.activity, now
			continue
		}
		if now.Sub(fl.quietSince) >= s.opts.FlowIdleTimeout {
			s.pushFrameLocked(frame.V2Frame{Type: frame.V2Close, Stream: fl.id})
			s.endFlowLocked(fl, ErrFlowIdle)
		}
	}
}

// datagramQueue is the session's datagrams waiting to be sent, all flows
// together: one sender in the writer's round, bounded, dropping the oldest
// when full (UDP semantics).
type datagramQueue struct {
	s      *Session
	q      queue[message]
	limit  int
	inRing bool
}

// pushLocked queues one DATAGRAM message; sess.mu is held.
func (d *datagramQueue) pushLocked(m message) {
	if d.q.len() >= d.limit {
		old, _ := d.q.pop()
		old.release()
		d.s.stats.dropSending.Add(1)
	}
	d.q.push(m)
	d.s.stats.datagramsSent.Add(1)
	if !d.inRing {
		d.inRing = true
		d.s.out.pushSender(d)
	}
}

func (d *datagramQueue) next() (message, bool, bool) {
	m, ok := d.q.pop()
	d.inRing = d.q.len() > 0
	return m, ok, d.inRing
}
