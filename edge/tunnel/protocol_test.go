package tunnel

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// Anything malformed or against the rules closes the tunnel with 4005,
// and the session's Err says why.
func TestProtocolErrorsClose4005(t *testing.T) {
	t.Parallel()
	open1 := frame.V2Frame{Type: frame.V2Open, Stream: 1, DestPort: 443}
	for _, tc := range []struct {
		name   string
		daemon bool // the session under test is the daemon's (the raw peer a node)
		send   []frame.V2Frame
		raw    []byte
		want   error
	}{
		{name: "reserved type", raw: []byte{0x20, 0, 0, 0, 1}, want: frame.ErrMalformed},
		{name: "shorter than the header", raw: []byte{0x03, 0, 0}, want: frame.ErrMalformed},
		{name: "trailing bytes on OPEN_OK", raw: []byte{0x02, 0, 0, 0, 1, 0}, want: frame.ErrMalformed},
		{name: "PING on a stream", raw: []byte{0x05, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}, want: frame.ErrMalformed},
		{name: "DATA for a stream never opened", send: []frame.V2Frame{{Type: frame.V2Data, Stream: 5, Payload: []byte("x")}}, want: ErrProtocol},
		{name: "daemon's OPEN with an odd id", send: []frame.V2Frame{open1}, want: ErrProtocol},
		{name: "GOAWAY naming a node id", send: []frame.V2Frame{{Type: frame.V2GoAway, LastStream: 2}}, want: ErrProtocol},
		{name: "node's OPEN with an even id", daemon: true, send: []frame.V2Frame{{Type: frame.V2Open, Stream: 2, DestPort: 443}}, want: ErrProtocol},
		{name: "node's ids going down", daemon: true, send: []frame.V2Frame{{Type: frame.V2Open, Stream: 3}, open1}, want: ErrProtocol},
		{name: "node's id reused", daemon: true, send: []frame.V2Frame{open1, {Type: frame.V2FlowOpen, Stream: 1}}, want: ErrProtocol},
		{name: "OPEN_OK for a stream never opened", daemon: true, send: []frame.V2Frame{{Type: frame.V2OpenOK, Stream: 2}}, want: ErrProtocol},
		{name: "GOAWAY's last stream going up", daemon: true, send: []frame.V2Frame{
			{Type: frame.V2Open, Stream: 1}, {Type: frame.V2GoAway, LastStream: 0}, {Type: frame.V2GoAway, LastStream: 2},
		}, want: ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var s *Session
			var peer *rawPeer
			if tc.daemon {
				s, peer = rawDaemon(t, Options{})
			} else {
				s, peer = rawNode(t, Options{})
			}
			for _, f := range tc.send {
				peer.send(f)
			}
			if tc.raw != nil {
				peer.sendBytes(tc.raw)
			}
			if code := peer.closedWith(); code != frame.CloseProtocolError {
				t.Errorf("closed with %d, want 4005", code)
			}
			<-s.Done()
			var ce *CloseError
			if err := s.Err(); !errors.As(err, &ce) || ce.Code != frame.CloseProtocolError || !errors.Is(err, tc.want) {
				t.Errorf("Err: %v, want a 4005 close wrapping %v", err, tc.want)
			}
		})
	}
}

// Over a real WebSocket the close code reaches the daemon, for a malformed
// frame and for a text message.
func TestMalformedOverWebSocketCloses4005(t *testing.T) {
	t.Parallel()
	for name, msg := range map[string]struct {
		typ websocket.MessageType
		b   []byte
	}{
		"reserved type": {websocket.MessageBinary, []byte{0x7f, 0, 0, 0, 1}},
		"text message":  {websocket.MessageText, []byte("hello")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ns := newNodeServer(t, Options{})
			c := ns.dial(t, frame.SubprotocolV2)
			nodeSess := ns.nodeSession(t)
			if err := c.Write(context.Background(), msg.typ, msg.b); err != nil {
				t.Fatal(err)
			}
			_, _, err := c.Read(context.Background())
			if got := websocket.CloseStatus(err); got != websocket.StatusCode(frame.CloseProtocolError) {
				t.Errorf("the daemon's read: %v (status %d), want a close with 4005", err, got)
			}
			<-nodeSess.Done()
			if err := nodeSess.Err(); !errors.Is(err, frame.ErrMalformed) {
				t.Errorf("node's Err: %v, want it to wrap frame.ErrMalformed", err)
			}
		})
	}
}

// A peer's breach of one stream's rules resets that stream (protocol
// error) and leaves the tunnel up.
func TestStreamRuleBreachesReset(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		openOK bool
		send   func(id frame.StreamID) []frame.V2Frame
	}{
		{"DATA before OPEN_OK", false, func(id frame.StreamID) []frame.V2Frame {
			return []frame.V2Frame{{Type: frame.V2Data, Stream: id, Payload: []byte("early")}}
		}},
		{"DATA after CLOSE", true, func(id frame.StreamID) []frame.V2Frame {
			return []frame.V2Frame{{Type: frame.V2Close, Stream: id}, {Type: frame.V2Data, Stream: id, Payload: []byte("late")}}
		}},
		{"DATAGRAM on a stream", true, func(id frame.StreamID) []frame.V2Frame {
			return []frame.V2Frame{{Type: frame.V2Datagram, Stream: id, Payload: []byte("dgram")}}
		}},
		{"OPEN_REFUSED after OPEN_OK", true, func(id frame.StreamID) []frame.V2Frame {
			return []frame.V2Frame{{Type: frame.V2OpenRefused, Stream: id}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			nodeSess, peer := rawNode(t, Options{})
			st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
			if err != nil {
				t.Fatal(err)
			}
			peer.expect(frame.V2Open, st.ID())
			if tc.openOK {
				peer.send(frame.V2Frame{Type: frame.V2OpenOK, Stream: st.ID()})
			}
			for _, f := range tc.send(st.ID()) {
				peer.send(f)
			}
			if f := peer.expect(frame.V2Reset, st.ID()); f.Reset != frame.ResetProtocolError {
				t.Errorf("RESET %s, want protocol error", f.Reset)
			}
			assertAlive(t, peer)
		})
	}
}

// Unknown extension frames are skipped; frames for streams that ended
// are ignored, as are values of reason and code tables this side does not
// know (read as value 0).
func TestIgnoredFrames(t *testing.T) {
	t.Parallel()
	nodeSess, peer := rawNode(t, Options{})
	st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	peer.expect(frame.V2Open, st.ID())
	peer.sendBytes([]byte{0x90, 0, 0, 0, 0, 0xca, 0xfe})
	peer.send(frame.V2Frame{Type: frame.V2Reset, Stream: st.ID(), Reset: 99})
	var re *ResetError
	if _, err := st.Read(make([]byte, 1)); !errors.As(err, &re) || re.Code != frame.ResetCancel || !re.Remote {
		t.Errorf("Read after an unknown reset code: %v, want a remote reset (cancel)", err)
	}
	peer.send(frame.V2Frame{Type: frame.V2Data, Stream: st.ID(), Payload: []byte("stale")})
	peer.send(frame.V2Frame{Type: frame.V2WindowUpdate, Stream: st.ID(), Increment: 1})
	peer.send(frame.V2Frame{Type: frame.V2Pong, Opaque: [8]byte{9}})
	assertAlive(t, peer)
	if n := nodeSess.Stats().Ignored; n != 3 {
		t.Errorf("%d messages ignored, want 3 (the extension, DATA and WINDOW_UPDATE for the ended stream)", n)
	}
}

// The daemon refuses every OPEN on a node (daemons open no streams today)
// with "port not served".
func TestNodeRefusesDaemonStreams(t *testing.T) {
	t.Parallel()
	_, peer := rawNode(t, Options{})
	peer.send(frame.V2Frame{Type: frame.V2Open, Stream: 2, DestPort: 22})
	if f := peer.expect(frame.V2OpenRefused, 2); f.Refuse != frame.RefusePortNotServed {
		t.Errorf("OPEN_REFUSED %s, want port not served", f.Refuse)
	}
	assertAlive(t, peer)
}

// A node that gets no answer resets the stream (cancel) after the open
// timeout.
func TestOpenTimeout(t *testing.T) {
	t.Parallel()
	nodeSess, peer := rawNode(t, Options{OpenTimeout: 100 * time.Millisecond})
	st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	peer.expect(frame.V2Open, st.ID())
	if f := peer.expect(frame.V2Reset, st.ID()); f.Reset != frame.ResetCancel {
		t.Errorf("RESET %s, want cancel", f.Reset)
	}
	if _, err := st.Read(make([]byte, 1)); !errors.Is(err, ErrOpenTimeout) {
		t.Errorf("Read: %v, want ErrOpenTimeout", err)
	}
	if s := nodeSess.Stats(); s.OpenTimeouts != 1 || s.Pending != 0 || s.Streams != 0 {
		t.Errorf("stats %+v, want one open timeout and nothing left", s)
	}
}

// The daemon may read the node's first bytes before it confirms; OPEN_OK
// precedes its own DATA.
func TestDaemonConfirmsBeforeData(t *testing.T) {
	t.Parallel()
	daemonSess, peer := rawDaemon(t, Options{})
	peer.send(frame.V2Frame{Type: frame.V2Open, Stream: 1, DestPort: 853})
	peer.send(frame.V2Frame{Type: frame.V2Data, Stream: 1, Payload: []byte("hello")})
	st, err := daemonSess.Accept(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := st.Read(buf); err != nil || string(buf) != "hello" {
		t.Fatalf("Read %q, %v", buf, err)
	}
	if _, err := st.Write([]byte("world")); err != nil {
		t.Fatal(err)
	}
	peer.expect(frame.V2OpenOK, 1)
	if f := peer.expect(frame.V2Data, 1); string(f.Payload) != "world" {
		t.Errorf("DATA %q", f.Payload)
	}
}
