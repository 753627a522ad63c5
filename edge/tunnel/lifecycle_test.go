package tunnel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// Run returns nil when its context ends (the tunnel closes with 1001) and
// the *CloseError when the peer closes.
func TestRunLifecycle(t *testing.T) {
	t.Parallel()
	t.Run("context ends", func(t *testing.T) {
		t.Parallel()
		a, b := pipe()
		s := NewNode(a, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- s.Run(ctx) }()
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v, want nil", err)
		}
		if code := (&rawPeer{t: t, conn: b}).closedWith(); code != CloseGoingAway {
			t.Errorf("closed with %d, want 1001", code)
		}
		if err := s.Run(context.Background()); err == nil {
			t.Error("a second Run succeeded")
		}
	})
	t.Run("peer closes", func(t *testing.T) {
		t.Parallel()
		a, b := pipe()
		s := NewDaemon(a, Options{})
		errc := make(chan error, 1)
		go func() { errc <- s.Run(context.Background()) }()
		_ = b.Close(frame.CloseDisplaced, "displaced")
		var ce *CloseError
		if err := <-errc; !errors.As(err, &ce) || ce.Code != frame.CloseDisplaced || !ce.Remote {
			t.Errorf("Run: %v, want the peer's 4000", err)
		}
	})
}

func TestStreamDeadlines(t *testing.T) {
	t.Parallel()
	nodeSess, peer := rawNode(t, Options{})
	st, err := nodeSess.OpenStream(context.Background(), 443, client, nil)
	if err != nil {
		t.Fatal(err)
	}
	peer.expect(frame.V2Open, st.ID())
	peer.send(frame.V2Frame{Type: frame.V2OpenOK, Stream: st.ID()})

	_ = st.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := st.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Read past the deadline: %v", err)
	}
	_ = st.SetReadDeadline(time.Time{})
	peer.send(frame.V2Frame{Type: frame.V2Data, Stream: st.ID(), Payload: []byte("late")})
	if n, err := st.Read(make([]byte, 8)); err != nil || n != 4 {
		t.Errorf("Read after clearing the deadline: %d, %v", n, err)
	}

	// A write waiting for credit gives up at the deadline, having sent
	// the window.
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := st.Write(make([]byte, 2*frame.InitialWindow))
		done <- result{n, err}
	}()
	eventually(t, func() error {
		if s := nodeSess.Stats(); s.BytesSent != frame.InitialWindow || s.SendBlocked == 0 {
			return fmt.Errorf("sent %d, blocked %d times", s.BytesSent, s.SendBlocked)
		}
		return nil
	})
	_ = st.SetWriteDeadline(time.Now())
	if r := <-done; !errors.Is(r.err, os.ErrDeadlineExceeded) || r.n != frame.InitialWindow {
		t.Errorf("Write past the deadline: %d, %v; want the window (%d) sent, then the deadline", r.n, r.err, frame.InitialWindow)
	}
}

// A node out of stream ids asks to be replaced (GOAWAY) and opens no more.
func TestIDsExhausted(t *testing.T) {
	t.Parallel()
	nodeSess, peer := rawNode(t, Options{})
	nodeSess.mu.Lock()
	nodeSess.nextID = math.MaxUint32
	nodeSess.mu.Unlock()
	if _, err := nodeSess.OpenStream(context.Background(), 443, client, nil); !errors.Is(err, ErrIdsExhausted) {
		t.Errorf("OpenStream: %v, want ErrIdsExhausted", err)
	}
	if f := peer.expect(frame.V2GoAway, 0); f.GoAway != frame.GoAwayDraining {
		t.Errorf("GOAWAY %s, want draining", f.GoAway)
	}
}
