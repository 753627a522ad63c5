package tunnel

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

var client = netip.MustParseAddrPort("203.0.113.7:51234")

// payload is n deterministic pseudo-random bytes.
func payload(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = r.Read(b)
	return b
}

// halfCloser is either version's stream.
type halfCloser interface {
	io.ReadWriter
	CloseWrite() error
}

// exchange writes send and half-closes in the background while it reads
// everything the peer sends, and returns what it read.
func exchange(s halfCloser, send []byte) ([]byte, error) {
	werr := make(chan error, 1)
	go func() {
		_, err := s.Write(send)
		if err == nil {
			err = s.CloseWrite()
		}
		werr <- err
	}()
	got, rerr := io.ReadAll(s)
	return got, errors.Join(rerr, <-werr)
}

func sameBytes(what string, got, want []byte) error {
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: %d bytes, sha256 %x; want %d bytes, sha256 %x", what, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
	return nil
}

// openPair opens a stream on the node and accepts it on the daemon.
func openPair(t testing.TB, nodeSess, daemonSess *Session, first []byte) (*Stream, *Stream) {
	t.Helper()
	ns, err := nodeSess.OpenStream(context.Background(), 443, client, first)
	if err != nil {
		t.Fatalf("OpenStream: %v", err)
	}
	ds, err := daemonSess.Accept(context.Background())
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	return ns, ds
}

func TestLargeTransferBothWays(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	up, down := payload(1, 8<<20), payload(2, 8<<20)
	ns, ds := openPair(t, nodeSess, daemonSess, up[:1500])
	if ds.DestPort() != 443 || ds.Client() != client || ds.ID() != ns.ID() || ds.RemoteAddr().String() != client.String() {
		t.Fatalf("accepted stream %d to %d for %s, want stream %d to 443 for %s", ds.ID(), ds.DestPort(), ds.Client(), ns.ID(), client)
	}
	if err := ds.Confirm(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var gotUp []byte
	var upErr error
	wg.Go(func() { gotUp, upErr = exchange(ds, down) })
	gotDown, downErr := exchange(writeFrom{ns, 1500}, up)
	wg.Wait()
	for _, err := range []error{downErr, upErr, sameBytes("node → daemon", gotUp, up), sameBytes("daemon → node", gotDown, down)} {
		if err != nil {
			t.Error(err)
		}
	}
	eventually(t, func() error { return noStreamsLeft(nodeSess, daemonSess) })
}

// writeFrom writes a stream's bytes from offset on (the first bytes went
// with the OPEN).
type writeFrom struct {
	halfCloser
	offset int
}

func (w writeFrom) Write(p []byte) (int, error) {
	n, err := w.halfCloser.Write(p[w.offset:])
	return n + w.offset, err
}

func noStreamsLeft(sessions ...*Session) error {
	for _, s := range sessions {
		if st := s.Stats(); st.Streams != 0 || st.Pending != 0 || st.Buffered != 0 {
			return fmt.Errorf("streams %d, pending %d, buffered %d left", st.Streams, st.Pending, st.Buffered)
		}
	}
	return nil
}

func TestManyConcurrentStreams(t *testing.T) {
	t.Parallel()
	const streams = 64
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	go echoAll(daemonSess)
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for i := range streams {
		wg.Go(func() {
			data := payload(uint64(100+i), 64<<10+i*4099)
			ns, err := nodeSess.OpenStream(context.Background(), 853, client, data[:100])
			if err != nil {
				errs <- err
				return
			}
			got, err := exchange(writeFrom{ns, 100}, data)
			errs <- errors.Join(err, sameBytes(fmt.Sprintf("stream %d echo", ns.ID()), got, data))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if st := nodeSess.Stats(); st.StreamsOpened != streams {
		t.Errorf("node opened %d streams, want %d", st.StreamsOpened, streams)
	}
	eventually(t, func() error { return noStreamsLeft(nodeSess, daemonSess) })
}

// echoAll accepts streams until the session ends and echoes each, then
// half-closes it.
func echoAll(s *Session) {
	for {
		st, err := s.Accept(context.Background())
		if err != nil {
			return
		}
		go func() {
			_, _ = io.Copy(st, st)
			_ = st.CloseWrite()
		}()
	}
}

func TestHalfClose(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	ns, ds := openPair(t, nodeSess, daemonSess, []byte("GET / HTTP/1.0\r\n\r\n"))
	if err := ns.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.Write([]byte("more")); !errors.Is(err, ErrWriteClosed) {
		t.Errorf("Write after CloseWrite: %v, want ErrWriteClosed", err)
	}
	req, err := io.ReadAll(ds)
	if err != nil || string(req) != "GET / HTTP/1.0\r\n\r\n" {
		t.Fatalf("daemon read %q, %v", req, err)
	}
	// The node's reading half is still open: the answer comes back.
	if _, err := ds.Write([]byte("HTTP/1.0 200 OK\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := ds.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := io.ReadAll(ns)
	if err != nil || string(resp) != "HTTP/1.0 200 OK\r\n\r\n" {
		t.Fatalf("node read %q, %v", resp, err)
	}
	eventually(t, func() error { return noStreamsLeft(nodeSess, daemonSess) })
}

func TestReset(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	for _, tc := range []struct {
		name  string
		reset func(ns, ds *Stream) (resetter, other *Stream)
		code  frame.ResetCode
	}{
		{"by the node", func(ns, ds *Stream) (*Stream, *Stream) { return ns, ds }, frame.ResetCancel},
		{"by the daemon", func(ns, ds *Stream) (*Stream, *Stream) { return ds, ns }, frame.ResetInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns, ds := openPair(t, nodeSess, daemonSess, []byte("hello"))
			if err := ds.Confirm(); err != nil {
				t.Fatal(err)
			}
			resetter, other := tc.reset(ns, ds)
			if err := resetter.Reset(tc.code); err != nil {
				t.Fatal(err)
			}
			var re *ResetError
			if _, err := io.ReadAll(other); !errors.As(err, &re) || re.Code != tc.code || !re.Remote {
				t.Errorf("peer's Read: %v, want a remote reset %s", err, tc.code)
			}
			if _, err := resetter.Read(make([]byte, 1)); !errors.As(err, &re) || re.Remote {
				t.Errorf("resetter's Read: %v, want a local reset", err)
			}
			if _, err := other.Write([]byte("x")); !errors.As(err, &re) {
				t.Errorf("peer's Write: %v, want the reset", err)
			}
		})
	}
	eventually(t, func() error { return noStreamsLeft(nodeSess, daemonSess) })
	if n, d := nodeSess.Stats().StreamsReset, daemonSess.Stats().StreamsReset; n != 2 || d != 2 {
		t.Errorf("resets counted %d (node), %d (daemon), want 2 each", n, d)
	}
}

func TestRefuse(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	ns, ds := openPair(t, nodeSess, daemonSess, []byte("hello"))
	if err := ds.Refuse(frame.RefusePortNotServed); err != nil {
		t.Fatal(err)
	}
	var re *RefusedError
	if _, err := ns.Read(make([]byte, 8)); !errors.As(err, &re) || re.Reason != frame.RefusePortNotServed {
		t.Errorf("node's Read: %v, want refused (port not served)", err)
	}
	if err := ds.Confirm(); !errors.As(err, &re) {
		t.Errorf("Confirm after Refuse: %v", err)
	}
	if err := ns.Confirm(); !errors.Is(err, ErrWrongSide) {
		t.Errorf("Confirm on the node: %v, want ErrWrongSide", err)
	}
	eventually(t, func() error { return noStreamsLeft(nodeSess, daemonSess) })
}

// Closing with unread data aborts, as TCP does; closing with none sends a
// FIN.
func TestCloseFollowsTCP(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})

	ns, ds := openPair(t, nodeSess, daemonSess, []byte("unread"))
	if err := ds.Confirm(); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if b := daemonSess.Stats().Buffered; b != 6 {
			return fmt.Errorf("daemon buffered %d bytes", b)
		}
		return nil
	})
	_ = ds.Close()
	var re *ResetError
	if _, err := ns.Read(make([]byte, 1)); !errors.As(err, &re) || re.Code != frame.ResetCancel {
		t.Errorf("after Close with unread data: %v, want a reset (cancel)", err)
	}
	if _, err := ds.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close: %v, want net.ErrClosed", err)
	}

	ns, ds = openPair(t, nodeSess, daemonSess, nil)
	if _, err := ds.Write([]byte("bye")); err != nil {
		t.Fatal(err)
	}
	_ = ds.Close()
	if got, err := io.ReadAll(ns); err != nil || string(got) != "bye" {
		t.Errorf("after Close with nothing unread: %q, %v; want the data then EOF", got, err)
	}
	_ = ns.Close()
	eventually(t, func() error { return noStreamsLeft(nodeSess, daemonSess) })
}

func TestStreamLimits(t *testing.T) {
	t.Parallel()
	t.Run("node: pending OPENs", func(t *testing.T) {
		t.Parallel()
		nodeSess, _ := rawNode(t, Options{MaxPending: 2})
		for range 2 {
			if _, err := nodeSess.OpenStream(context.Background(), 443, client, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := nodeSess.OpenStream(context.Background(), 443, client, nil); !errors.Is(err, ErrTooManyStreams) {
			t.Errorf("a third unanswered OPEN: %v, want ErrTooManyStreams", err)
		}
	})
	t.Run("daemon: open streams", func(t *testing.T) {
		t.Parallel()
		nodeSess, daemonSess := pair(t, Options{}, Options{MaxStreams: 1})
		a, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
		if err != nil {
			t.Fatal(err)
		}
		var re *RefusedError
		if _, err := b.Read(make([]byte, 1)); !errors.As(err, &re) || re.Reason != frame.RefuseTooManyStreams {
			t.Errorf("the stream over the daemon's limit: %v, want refused (too many streams)", err)
		}
		ds, err := daemonSess.Accept(context.Background())
		if err != nil || ds.ID() != a.ID() {
			t.Fatalf("Accept: %v; want stream %d", err, a.ID())
		}
		if st := daemonSess.Stats(); st.Streams != 1 || st.StreamsRefused != 1 {
			t.Errorf("daemon: %d streams, %d refused; want 1 and 1", st.Streams, st.StreamsRefused)
		}
	})
}

func TestSessionCloseEndsStreams(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	ns, ds := openPair(t, nodeSess, daemonSess, []byte("x"))
	if err := nodeSess.Close(frame.CloseNodeDraining); err != nil {
		t.Fatal(err)
	}
	<-daemonSess.Done()
	var ce *CloseError
	if err := daemonSess.Err(); !errors.As(err, &ce) || ce.Code != frame.CloseNodeDraining || !ce.Remote {
		t.Errorf("daemon's Err: %v, want a remote close 4003", err)
	}
	if err := nodeSess.Err(); !errors.As(err, &ce) || ce.Code != frame.CloseNodeDraining || ce.Remote {
		t.Errorf("node's Err: %v, want a local close 4003", err)
	}
	for name, st := range map[string]*Stream{"node": ns, "daemon": ds} {
		if _, err := io.ReadAll(st); !errors.Is(err, ErrSessionClosed) {
			t.Errorf("%s stream's Read: %v, want ErrSessionClosed", name, err)
		}
	}
	if _, err := nodeSess.OpenStream(context.Background(), 443, client, nil); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("OpenStream after Close: %v", err)
	}
	if _, err := daemonSess.Accept(context.Background()); !errors.Is(err, ErrSessionClosed) {
		t.Errorf("Accept after the close: %v", err)
	}
}

func TestWrongSide(t *testing.T) {
	t.Parallel()
	nodeSess, daemonSess := pair(t, Options{}, Options{})
	if _, err := daemonSess.OpenStream(context.Background(), 443, client, nil); !errors.Is(err, ErrWrongSide) {
		t.Errorf("OpenStream on the daemon: %v", err)
	}
	if _, err := nodeSess.Accept(context.Background()); !errors.Is(err, ErrWrongSide) {
		t.Errorf("Accept on the node: %v", err)
	}
}
