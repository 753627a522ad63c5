package tunnel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// A stream whose reader does not read stops at one window; the others keep
// moving, and the session's reader never waits for the slow one.
func TestSlowReaderDoesNotStallOthers(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	slow, fast := payload(7, 1<<20), payload(8, 4<<20)

	nsSlow, dsSlow := openPair(t, nodeSess, daemonSess, nil)
	slowDone := make(chan error, 1)
	go func() {
		_, err := nsSlow.Write(slow)
		slowDone <- errors.Join(err, nsSlow.CloseWrite())
	}()
	nsFast, dsFast := openPair(t, nodeSess, daemonSess, nil)
	fastDone := make(chan error, 1)
	go func() {
		_, err := nsFast.Write(fast)
		fastDone <- errors.Join(err, nsFast.CloseWrite())
	}()
	got, err := io.ReadAll(dsFast)
	if err := errors.Join(err, <-fastDone, sameBytes("fast stream", got, fast)); err != nil {
		t.Fatal(err)
	}

	// The slow stream holds exactly one window at the daemon, and its
	// writer waits for credit instead of buffering more.
	eventually(t, func() error {
		n, d := nodeSess.Stats(), daemonSess.Stats()
		if want := uint64(len(fast) + frame.InitialWindow); n.BytesSent != want || d.Buffered != frame.InitialWindow {
			return fmt.Errorf("node sent %d bytes (want %d), daemon buffers %d (want %d)", n.BytesSent, want, d.Buffered, frame.InitialWindow)
		}
		return nil
	})
	select {
	case err := <-slowDone:
		t.Fatalf("the slow stream's writer returned (%v) though its reader read nothing", err)
	default:
	}
	if n := nodeSess.Stats().SendBlocked; n == 0 {
		t.Error("no write waited for credit")
	}

	got, err = io.ReadAll(dsSlow)
	if err := errors.Join(err, <-slowDone, sameBytes("slow stream", got, slow)); err != nil {
		t.Fatal(err)
	}
	if peak := daemonSess.Stats().PeakBuffered; peak > frame.InitialWindow {
		t.Errorf("a stream buffered %d bytes, over the window %d", peak, frame.InitialWindow)
	}
	eventually(t, func() error {
		if got, sent := nodeSess.Stats().WindowUpdatesReceived, daemonSess.Stats().WindowUpdatesSent; got == 0 || got != sent {
			return fmt.Errorf("node received %d WINDOW_UPDATEs, daemon sent %d", got, sent)
		}
		return nil
	})
}

// readData reads DATA on stream id until total bytes have come, and
// returns them and the largest payload seen.
func (p *rawPeer) readData(id frame.StreamID, total int) ([]byte, int) {
	p.t.Helper()
	var got []byte
	largest := 0
	for len(got) < total {
		f := p.expect(frame.V2Data, id)
		got = append(got, f.Payload...)
		largest = max(largest, len(f.Payload))
	}
	if len(got) != total {
		p.t.Fatalf("stream %d: %d bytes of DATA, want %d", id, len(got), total)
	}
	return got, largest
}

// The sender spends exactly the window, waits, and goes on when credit
// comes; one stream alone fills whole messages.
func TestSenderStopsAtWindow(t *testing.T) {
	t.Parallel()
	nodeSess, peer := rawNode(t, Options{})
	data := payload(9, 3*frame.InitialWindow/2)
	st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := st.Write(data); done <- err }()
	peer.expect(frame.V2Open, st.ID())
	peer.send(frame.V2Frame{Type: frame.V2OpenOK, Stream: st.ID()})

	first, largest := peer.readData(st.ID(), frame.InitialWindow)
	eventually(t, func() error {
		if s := nodeSess.Stats(); s.BytesSent != frame.InitialWindow || s.SendBlocked == 0 {
			return fmt.Errorf("sent %d bytes, blocked %d times; want %d and at least once", s.BytesSent, s.SendBlocked, frame.InitialWindow)
		}
		return nil
	})
	if largest <= fairChunk {
		t.Errorf("a lone stream sent at most %d bytes per DATA, want more than %d", largest, fairChunk)
	}
	peer.send(frame.V2Frame{Type: frame.V2WindowUpdate, Stream: st.ID(), Increment: frame.InitialWindow})
	rest, _ := peer.readData(st.ID(), len(data)-frame.InitialWindow)
	if err := errors.Join(<-done, sameBytes("DATA", append(first, rest...), data)); err != nil {
		t.Fatal(err)
	}
}

// The receiver gives credit back once half a window is consumed, in one
// WINDOW_UPDATE for exactly what was consumed.
func TestWindowUpdateAfterHalfWindow(t *testing.T) {
	t.Parallel()
	nodeSess, peer := rawNode(t, Options{})
	st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	peer.expect(frame.V2Open, st.ID())
	peer.send(frame.V2Frame{Type: frame.V2OpenOK, Stream: st.ID()})
	data := payload(10, frame.InitialWindow)
	for off := 0; off < len(data); off += frame.MaxPayload {
		peer.send(frame.V2Frame{Type: frame.V2Data, Stream: st.ID(), Payload: data[off:min(off+frame.MaxPayload, len(data))]})
	}
	buf := make([]byte, frame.InitialWindow)
	if _, err := io.ReadFull(st, buf[:updateThreshold-1]); err != nil {
		t.Fatal(err)
	}
	if s := nodeSess.Stats(); s.WindowUpdatesSent != 0 {
		t.Fatalf("%d WINDOW_UPDATEs before half a window was read", s.WindowUpdatesSent)
	}
	if _, err := io.ReadFull(st, buf[updateThreshold-1:updateThreshold]); err != nil {
		t.Fatal(err)
	}
	if f := peer.expect(frame.V2WindowUpdate, st.ID()); f.Increment != updateThreshold {
		t.Errorf("WINDOW_UPDATE +%d, want +%d", f.Increment, updateThreshold)
	}
}

// A peer that sends more than the window it was granted, or grants more
// than frame.MaxWindow, has the stream reset (flow control); the tunnel
// stays up.
func TestFlowControlViolationsReset(t *testing.T) {
	t.Parallel()
	for name, violate := range map[string]func(p *rawPeer, id frame.StreamID){
		"DATA over the window": func(p *rawPeer, id frame.StreamID) {
			data := make([]byte, frame.MaxPayload)
			for sent := 0; sent < frame.InitialWindow; sent += len(data) {
				p.send(frame.V2Frame{Type: frame.V2Data, Stream: id, Payload: data[:min(len(data), frame.InitialWindow-sent)]})
			}
			p.send(frame.V2Frame{Type: frame.V2Data, Stream: id, Payload: []byte{1}})
		},
		"credit over MaxWindow": func(p *rawPeer, id frame.StreamID) {
			p.send(frame.V2Frame{Type: frame.V2WindowUpdate, Stream: id, Increment: frame.MaxWindow})
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			nodeSess, peer := rawNode(t, Options{})
			st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
			if err != nil {
				t.Fatal(err)
			}
			peer.expect(frame.V2Open, st.ID())
			peer.send(frame.V2Frame{Type: frame.V2OpenOK, Stream: st.ID()})
			violate(peer, st.ID())
			if f := peer.expect(frame.V2Reset, st.ID()); f.Reset != frame.ResetFlowControl {
				t.Errorf("RESET %s, want flow control", f.Reset)
			}
			var re *ResetError
			if _, err := st.Read(make([]byte, 1)); !errors.As(err, &re) || re.Code != frame.ResetFlowControl {
				t.Errorf("Read: %v, want a flow-control reset", err)
			}
			if s := nodeSess.Stats(); s.Buffered != 0 || s.Streams != 0 {
				t.Errorf("after the reset: %d bytes buffered, %d streams", s.Buffered, s.Streams)
			}
			assertAlive(t, peer)
		})
	}
}

// assertAlive checks that the session still answers PING.
func assertAlive(t testing.TB, p *rawPeer) {
	t.Helper()
	op := [8]byte{'a', 'l', 'i', 'v', 'e'}
	p.send(frame.V2Frame{Type: frame.V2Ping, Opaque: op})
	if f := p.expect(frame.V2Pong, 0); f.Opaque != op {
		t.Errorf("PONG %x, want %x", f.Opaque, op)
	}
}
