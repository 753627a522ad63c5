package tunnel

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// flushWait bounds how long a local close waits for the writer to send the
// control frames still queued before the WebSocket close.
const flushWait = 2 * time.Second

// core is what both versions' sessions share: the transport, the writer's
// outbox, the lock, and how a session runs and ends.
type core struct {
	conn     MessageConn
	done     chan struct{} // closed when the session ends
	running  atomic.Bool
	received atomic.Uint64 // messages read, for the idle timer
	stats    counters
	// endAll ends every stream (and flow) with cause; mu is held.
	endAll func(cause error)

	mu sync.Mutex
	// Guarded by mu.
	out      outbox
	err      *CloseError // set once, when the session ends
	byCaller bool        // ended by Close or Run's context
}

func newCore(conn MessageConn) core {
	return core{conn: conn, done: make(chan struct{}), out: newOutbox()}
}

// run drives a session: its reader, its writer and its timers (tick, when
// not nil), until the session ends or ctx does (then it closes with 1001).
func (c *core) run(ctx context.Context, read func(context.Context), tick func()) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("tunnel: Run called twice")
	}
	// The reader and writer stop when end closes the transport, not
	// through a context: a context that can end costs the WebSocket a
	// timer per frame.
	ioCtx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { read(ioCtx) })
	wg.Go(func() {
		if err := c.out.run(ioCtx, c.conn, &c.mu, c.done); err != nil {
			c.end(transportClose(err), false)
		}
	})
	if tick != nil {
		wg.Go(tick)
	}
	select {
	case <-ctx.Done():
		c.end(&CloseError{Code: CloseGoingAway, Reason: closeReason(CloseGoingAway)}, true)
	case <-c.done:
	}
	wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byCaller {
		return nil
	}
	return c.err
}

// errLocked is how the session ended, or nil; mu is held.
func (c *core) errLocked() error {
	if c.err == nil {
		return nil
	}
	return c.err
}

func (c *core) getErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.errLocked()
}

// end ends the session once: every stream fails, the writer sends the
// control frames already queued (for a close of this side's), and the
// WebSocket closes with ce's code.
func (c *core) end(ce *CloseError, byCaller bool) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err, c.byCaller = ce, byCaller
	c.endAll(sessionEnded(ce))
	close(c.done)
	c.mu.Unlock()
	if c.running.Load() && !ce.Remote && ce.Code != CloseAbnormal {
		t := time.NewTimer(flushWait)
		select {
		case <-c.out.flushed:
		case <-t.C:
		}
		t.Stop()
	}
	code := ce.Code
	if code == CloseAbnormal {
		code = CloseInternal
	}
	_ = c.conn.Close(code, ce.Reason)
}

// readLoop reads messages and hands each to handle until the transport
// fails or handle returns an error (the session closes with 4005, or 4006
// for a peer over a limit).
func (c *core) readLoop(ctx context.Context, handle func([]byte) error) {
	for {
		msg, err := c.conn.Read(ctx)
		if err != nil {
			c.end(transportClose(err), false)
			return
		}
		c.received.Add(1)
		if err := handle(msg); err != nil {
			c.end(closeFor(err), false)
			return
		}
	}
}

// closeFor is the close a session makes for a reader's error: 4005 for a
// malformed frame or a broken rule, 4006 for a peer over a limit.
func closeFor(err error) *CloseError {
	code := frame.CloseProtocolError
	if errors.Is(err, errPolicy) {
		code = frame.ClosePolicy
	}
	return &CloseError{Code: code, Reason: code.String(), Err: err}
}

// transportClose is how a session ends when its transport fails.
func transportClose(err error) *CloseError {
	var ce *CloseError
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.Is(err, frame.ErrMalformed):
		return closeFor(err)
	}
	return &CloseError{Code: CloseAbnormal, Err: err}
}

func closeReason(code frame.CloseCode) string {
	switch code {
	case CloseNormal:
		return "normal"
	case CloseGoingAway:
		return "going away"
	case CloseInternal:
		return "internal error"
	}
	return code.String()
}
