package tunnel

import "sync/atomic"

// Stats is a snapshot of a session's counters, for metrics and tests.
// Counts are since the session began; Streams, Pending, Flows and Buffered
// are the present.
type Stats struct {
	Streams int // streams open (in the table)
	Pending int // streams opened and not yet answered
	Flows   int // UDP flows open

	StreamsOpened   uint64 // by this side
	StreamsAccepted uint64 // opened by the peer and taken
	StreamsRefused  uint64 // refused, by either side
	StreamsReset    uint64 // reset, by either side
	OpenTimeouts    uint64 // this side's OPENs not answered in time

	BytesSent     uint64 // DATA payload
	BytesReceived uint64
	// SendBlocked counts the writes that waited for the peer's credit
	// (v2): the sender stopping at the window instead of buffering.
	SendBlocked           uint64
	WindowUpdatesSent     uint64
	WindowUpdatesReceived uint64
	// Buffered is the DATA received and not yet read, all streams; it
	// never exceeds Streams × frame.InitialWindow (v2).
	Buffered int64
	// PeakBuffered is the most one stream has held unread at once.
	PeakBuffered int64
	// Overflows counts v1 streams closed because the peer outran their
	// queue (v1 has no flow control).
	Overflows uint64

	PingsReceived uint64
	PongsReceived uint64

	FlowsOpened       uint64
	DatagramsSent     uint64 // queued for sending
	DatagramsReceived uint64
	// DatagramsDroppedSending counts datagrams dropped from the full send
	// queue (the oldest go); DatagramsDroppedReceiving those that found a
	// flow's receive queue full.
	DatagramsDroppedSending   uint64
	DatagramsDroppedReceiving uint64

	// Ignored counts the messages the protocol says to skip: unknown
	// extension types (v2), short or unknown messages (v1), frames for
	// streams that have ended.
	Ignored uint64
}

// counters are the atomic fields behind Stats.
type counters struct {
	streamsOpened, streamsAccepted, streamsRefused, streamsReset, openTimeouts         atomic.Uint64
	bytesSent, bytesReceived, sendBlocked, windowSent, windowReceived                  atomic.Uint64
	overflows, pingsReceived, pongsReceived                                            atomic.Uint64
	flowsOpened, datagramsSent, datagramsReceived, dropSending, dropReceiving, ignored atomic.Uint64
	bufferedBytes, peakBuffered                                                        atomic.Int64
}

// buffered adds delta to the bytes buffered and raises the peak to
// streamNow, one stream's unread bytes after the change.
func (c *counters) buffered(delta, streamNow int64) {
	c.bufferedBytes.Add(delta)
	if delta > 0 {
		c.bytesReceived.Add(uint64(delta))
	}
	for {
		peak := c.peakBuffered.Load()
		if streamNow <= peak || c.peakBuffered.CompareAndSwap(peak, streamNow) {
			return
		}
	}
}

func (c *counters) snapshot() Stats {
	return Stats{
		StreamsOpened:             c.streamsOpened.Load(),
		StreamsAccepted:           c.streamsAccepted.Load(),
		StreamsRefused:            c.streamsRefused.Load(),
		StreamsReset:              c.streamsReset.Load(),
		OpenTimeouts:              c.openTimeouts.Load(),
		BytesSent:                 c.bytesSent.Load(),
		BytesReceived:             c.bytesReceived.Load(),
		SendBlocked:               c.sendBlocked.Load(),
		WindowUpdatesSent:         c.windowSent.Load(),
		WindowUpdatesReceived:     c.windowReceived.Load(),
		Buffered:                  c.bufferedBytes.Load(),
		PeakBuffered:              c.peakBuffered.Load(),
		Overflows:                 c.overflows.Load(),
		PingsReceived:             c.pingsReceived.Load(),
		PongsReceived:             c.pongsReceived.Load(),
		FlowsOpened:               c.flowsOpened.Load(),
		DatagramsSent:             c.datagramsSent.Load(),
		DatagramsReceived:         c.datagramsReceived.Load(),
		DatagramsDroppedSending:   c.dropSending.Load(),
		DatagramsDroppedReceiving: c.dropReceiving.Load(),
		Ignored:                   c.ignored.Load(),
	}
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	st := s.stats.snapshot()
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Streams, st.Pending, st.Flows = len(s.streams), s.pending, len(s.flows)
	return st
}
