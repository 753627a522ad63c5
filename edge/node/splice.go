package node

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
)

// splice copies between a client's connection and its stream until both
// directions have ended, as TCP does: EOF from one side half-closes the
// other (CloseWrite), an error aborts both, and so does
// Config.IdleTimeout without a byte either way. It reports whether the
// daemon refused the stream (or never answered it) before sending a byte.
func (n *Node) splice(c net.Conn, st Stream, h *holding) (refused bool) {
	var once sync.Once
	abort := func() {
		once.Do(func() {
			_ = c.Close()
			abortStream(st)
		})
	}
	idle := startIdle(n.cfg.IdleTimeout, abort)
	defer idle.stop()
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := io.Copy(st, &meter{r: c, n: &h.toDaemon, total: &n.stats.toDaemon, idle: idle})
		if err == nil {
			err = st.CloseWrite()
		}
		if err != nil {
			abort()
		}
	})
	got, err := io.Copy(c, &meter{r: st, n: &h.toClient, total: &n.stats.toClient, idle: idle})
	if err == nil {
		err = closeWrite(c)
	}
	if err != nil {
		abort()
		refused = got == 0 && daemonRefused(err)
	}
	wg.Wait()
	_ = st.Close()
	return refused
}

// daemonRefused reports whether a stream's read failed because the daemon
// refused it or did not answer its OPEN in time.
func daemonRefused(err error) bool {
	var re *tunnel.RefusedError
	return errors.As(err, &re) || errors.Is(err, tunnel.ErrOpenTimeout)
}

// abortStream ends both directions of st: RESET when the version has it.
func abortStream(st Stream) {
	if r, ok := st.(resetter); ok {
		_ = r.Reset(frame.ResetCancel)
		return
	}
	_ = st.Close()
}

// closeWrite half-closes c when it can (TCP and PROXY connections can).
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// meter counts what passes through a reader and marks the connection
// active. It has no WriteTo, so io.Copy into a stream uses the stream's
// ReadFrom, which reads each chunk straight into its message.
type meter struct {
	r        io.Reader
	n, total *atomic.Uint64
	idle     *idleTimer
}

func (m *meter) Read(p []byte) (int, error) {
	k, err := m.r.Read(p)
	if k > 0 {
		m.n.Add(uint64(k))
		m.total.Add(uint64(k))
		m.idle.touch()
	}
	return k, err
}

// idleTimer calls fire once nothing has been touched for d. It re-arms
// itself from the last touch instead of being reset on every read, so a
// busy connection costs an atomic store per read and no timer operation.
type idleTimer struct {
	d     time.Duration
	start time.Time
	last  atomic.Int64 // since start
	fire  func()

	mu      sync.Mutex
	t       *time.Timer
	stopped bool
}

// startIdle starts an idle timer; nil (no timeout) when d is negative.
func startIdle(d time.Duration, fire func()) *idleTimer {
	if d < 0 {
		return nil
	}
	it := &idleTimer{d: d, start: time.Now(), fire: fire}
	it.mu.Lock()
	defer it.mu.Unlock()
	it.t = time.AfterFunc(d, it.check)
	return it
}

func (it *idleTimer) touch() {
	if it != nil {
		it.last.Store(int64(time.Since(it.start)))
	}
}

func (it *idleTimer) check() {
	quiet := time.Since(it.start) - time.Duration(it.last.Load())
	if quiet >= it.d {
		it.fire()
		return
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.stopped {
		it.t.Reset(it.d - quiet)
	}
}

func (it *idleTimer) stop() {
	if it != nil {
		it.mu.Lock()
		defer it.mu.Unlock()
		it.stopped = true
		it.t.Stop()
	}
}
