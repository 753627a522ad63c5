package tunnel

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// v1Daemon is a v1 daemon written straight from contract §6.3's table,
// byte by byte, sharing no code with the package: it answers CONNECT to
// 853 with READY and echoes the stream, closes CONNECT to 443 at once
// (contract §6.6), leaves other ports unanswered, answers PING with PONG
// and CLOSE with CLOSE.
type v1Daemon struct {
	c      *websocket.Conn
	pongs  atomic.Int64
	closes atomic.Int64 // CLOSEs received from the node
	mu     sync.Mutex
	conns  map[uint32]bool
}

// dialV1 dials the node without offering a subprotocol, as every daemon
// that predates v2, and returns the node's v1 session and the daemon.
func dialV1(t *testing.T, opts V1Options) (*V1Session, *v1Daemon) {
	t.Helper()
	ns := newNodeServer(t, Options{})
	ns.v1opts = opts
	c := ns.dial(t)
	if c.Subprotocol() != "" {
		t.Fatalf("the node selected %q for a daemon that offered nothing", c.Subprotocol())
	}
	c.SetReadLimit(1 << 20)
	d := &v1Daemon{c: c, conns: map[uint32]bool{}}
	go d.serve()
	select {
	case s := <-ns.v1:
		t.Cleanup(func() {
			_ = s.Close(CloseNormal)
			<-s.Done()
		})
		return s, d
	case <-time.After(wait):
		t.Fatal("no v1 node session")
		return nil, nil
	}
}

func (d *v1Daemon) serve() {
	for {
		_, msg, err := d.c.Read(context.Background())
		if err != nil {
			return
		}
		if len(msg) < 5 {
			continue
		}
		if err := d.handle(msg[0], binary.BigEndian.Uint32(msg[1:5]), msg); err != nil {
			return
		}
	}
}

func (d *v1Daemon) handle(typ byte, id uint32, msg []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch typ {
	case 0x01: // CONNECT
		switch binary.BigEndian.Uint16(msg[5:7]) {
		case 853:
			d.conns[id] = true
			return d.send(0x02, id, nil)
		case 443:
			return d.send(0x04, id, nil)
		}
	case 0x03: // DATA: echo
		if d.conns[id] {
			return d.send(0x03, id, msg[5:])
		}
	case 0x04: // CLOSE
		d.closes.Add(1)
		if d.conns[id] {
			delete(d.conns, id)
			return d.send(0x04, id, nil)
		}
	case 0x05: // PING
		return d.send(0x06, id, nil)
	case 0x06: // PONG
		d.pongs.Add(1)
	}
	return nil
}

func (d *v1Daemon) send(typ byte, id uint32, payload []byte) error {
	msg := binary.BigEndian.AppendUint32([]byte{typ}, id)
	return d.c.Write(context.Background(), websocket.MessageBinary, append(msg, payload...))
}

func TestV1Interop(t *testing.T) {
	t.Parallel()
	s, d := dialV1(t, V1Options{StreamQueue: 1024})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	data := payload(11, 1<<20)
	st, err := s.OpenStream(ctx, 853, client, data[:300])
	if err != nil {
		t.Fatal(err)
	}
	got, err := exchange(writeFrom{st, 300}, data)
	if err := errors.Join(err, sameBytes("echo", got, data)); err != nil {
		t.Fatal(err)
	}

	var re *RefusedError
	if _, err := s.OpenStream(ctx, 443, client, []byte("hello")); !errors.As(err, &re) {
		t.Errorf("a port the daemon closes at once: %v, want *RefusedError", err)
	}

	if _, err := s.Ping(ctx); err != nil {
		t.Errorf("node's Ping: %v", err)
	}
	// Tolerance: short messages, unknown types, DATA and READY for
	// unknown conns are skipped; PING from the daemon is answered.
	for _, msg := range [][]byte{{0x03, 0}, {0x7f, 0, 0, 0, 9}, {0x03, 0, 0, 0, 99, 'x'}, {0x02, 0, 0, 0, 99}, {0x05, 0, 0, 0, 0}} {
		if err := d.c.Write(ctx, websocket.MessageBinary, msg); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, func() error {
		if n := d.pongs.Load(); n != 1 {
			return fmt.Errorf("%d PONGs", n)
		}
		return nil
	})
	if n := s.Stats().Ignored; n != 4 {
		t.Errorf("%d messages ignored, want 4", n)
	}
	eventually(t, func() error {
		if st := s.Stats(); st.Streams != 0 || st.Pending != 0 || st.Buffered != 0 {
			return fmt.Errorf("left: %+v", st)
		}
		return nil
	})
}

// v1 has no flow control: a daemon that outruns the stream's queue loses
// the stream, and the session goes on.
func TestV1Overflow(t *testing.T) {
	t.Parallel()
	s, d := dialV1(t, V1Options{StreamQueue: 4})
	st, err := s.OpenStream(context.Background(), 853, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if err := d.send(0x03, uint32(st.ID()), []byte("flood")); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, func() error {
		if n, c := s.Stats().Overflows, d.closes.Load(); n != 1 || c != 1 {
			return fmt.Errorf("%d overflows, %d CLOSEs at the daemon; want 1 and 1", n, c)
		}
		return nil
	})
	if _, err := st.Read(make([]byte, 64)); !errors.Is(err, ErrOverflow) {
		t.Errorf("Read: %v, want ErrOverflow", err)
	}
	if _, err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping after the overflow: %v", err)
	}
}

func TestV1ReadyTimeout(t *testing.T) {
	t.Parallel()
	s, d := dialV1(t, V1Options{ReadyTimeout: 50 * time.Millisecond})
	if _, err := s.OpenStream(context.Background(), 9999, client, nil); !errors.Is(err, ErrOpenTimeout) {
		t.Errorf("OpenStream: %v, want ErrOpenTimeout", err)
	}
	eventually(t, func() error {
		if c := d.closes.Load(); c != 1 {
			return fmt.Errorf("%d CLOSEs at the daemon, want 1", c)
		}
		return nil
	})
	if st := s.Stats(); st.OpenTimeouts != 1 || st.Pending != 0 || st.Streams != 0 {
		t.Errorf("stats %+v, want one timeout and nothing left", st)
	}
}

func TestV1PendingLimit(t *testing.T) {
	t.Parallel()
	s, _ := dialV1(t, V1Options{MaxPending: 1, ReadyTimeout: wait})
	opened := make(chan error, 1)
	go func() {
		_, err := s.OpenStream(context.Background(), 9999, client, nil)
		opened <- err
	}()
	eventually(t, func() error {
		if p := s.Stats().Pending; p != 1 {
			return fmt.Errorf("%d pending", p)
		}
		return nil
	})
	if _, err := s.OpenStream(context.Background(), 853, client, nil); !errors.Is(err, ErrTooManyStreams) {
		t.Errorf("a second pending CONNECT: %v, want ErrTooManyStreams", err)
	}
	_ = s.Close(CloseNormal)
	if err := <-opened; !errors.Is(err, ErrSessionClosed) {
		t.Errorf("the pending OpenStream after Close: %v, want ErrSessionClosed", err)
	}
}

// A malformed v1 message (READY with a byte after its end) closes the
// tunnel with 4005.
func TestV1MalformedCloses4005(t *testing.T) {
	t.Parallel()
	s, d := dialV1(t, V1Options{})
	d.mu.Lock()
	err := d.c.Write(context.Background(), websocket.MessageBinary, []byte{0x02, 0, 0, 0, 0, 0xff})
	d.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	<-s.Done()
	var ce *CloseError
	if err := s.Err(); !errors.As(err, &ce) || ce.Code != frame.CloseProtocolError || !errors.Is(err, frame.ErrMalformed) {
		t.Errorf("Err: %v, want a 4005 close wrapping frame.ErrMalformed", err)
	}
}
