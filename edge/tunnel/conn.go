package tunnel

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// MessageConn is the transport under a session: a connection that carries
// whole binary messages, one frame each. NewWebSocketConn adapts a
// WebSocket; tests use an in-memory pipe.
//
// A session calls Read from one goroutine and Write from one (another)
// goroutine; Close may be called from any goroutine, more than once, and
// concurrently with Read and Write.
type MessageConn interface {
	// Read returns the next message. The slice is valid until the next
	// call to Read. A closing handshake from the peer is a *CloseError
	// with Remote set.
	Read(ctx context.Context) ([]byte, error)
	// Write sends p as one message; p may be reused once Write returns.
	Write(ctx context.Context, p []byte) error
	// Close ends the connection with a close code and reason.
	Close(code frame.CloseCode, reason string) error
}

// The standard WebSocket close codes a session uses besides frame's
// application codes (RFC 6455 §7.4.1). CloseAbnormal is never sent: it
// is what Err reports when the transport failed without a close.
const (
	CloseNormal    frame.CloseCode = 1000
	CloseGoingAway frame.CloseCode = 1001
	CloseAbnormal  frame.CloseCode = 1006
	CloseTooBig    frame.CloseCode = 1009
	CloseInternal  frame.CloseCode = 1011
)

// CloseError is how a session ended: the close code it sent or received,
// the reason text, whether the peer chose it, and the cause (a decoding
// error wrapping frame.ErrMalformed, a transport error) when there is one.
type CloseError struct {
	Code   frame.CloseCode
	Reason string
	Remote bool
	Err    error
}

func (e *CloseError) Error() string {
	who := "closed"
	if e.Remote {
		who = "closed by the peer"
	}
	msg := fmt.Sprintf("tunnel %s with %d", who, uint16(e.Code))
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *CloseError) Unwrap() error { return e.Err }

// NewWebSocketConn adapts a WebSocket to a MessageConn for a tunnel of
// version v: it sets the read limit (frame.MaxMessage for v2,
// frame.V1MaxMessage for v1), sends binary messages, and turns the peer's
// close frame into a *CloseError. A text message is malformed in v2
// (docs/api/tunnel-protocol.md §3.7) and skipped in v1, which never sends
// one.
func NewWebSocketConn(c *websocket.Conn, v frame.Version) MessageConn {
	limit := frame.MaxMessage
	if v == frame.V1 {
		limit = frame.V1MaxMessage
	}
	c.SetReadLimit(int64(limit))
	return &wsConn{c: c, limit: limit, v1: v == frame.V1, buf: make([]byte, initialReadBuffer)}
}

type wsConn struct {
	c     *websocket.Conn
	limit int
	v1    bool
	buf   []byte // the last message read; grows up to limit
}

func (w *wsConn) Read(ctx context.Context) ([]byte, error) {
	for {
		typ, r, err := w.c.Reader(ctx)
		if err != nil {
			return nil, wsError(err)
		}
		msg, err := w.readAll(r)
		switch {
		case err != nil:
			return nil, wsError(err)
		case typ == websocket.MessageBinary:
			return msg, nil
		case !w.v1:
			return nil, fmt.Errorf("a %d-byte text message: %w", len(msg), frame.ErrMalformed)
		}
	}
}

// initialReadBuffer is where a connection's read buffer starts: an idle
// tunnel (keepalives, a few control frames) keeps it that small, and a
// busy one grows it once to the largest message it reads, doubling.
const initialReadBuffer = 512

// readAll reads one message into w.buf, growing it up to one byte over
// the limit (the WebSocket's read limit stops a longer message first).
func (w *wsConn) readAll(r io.Reader) ([]byte, error) {
	n := 0
	for {
		if n == len(w.buf) {
			if n > w.limit {
				return nil, fmt.Errorf("a message over %d bytes: %w", w.limit, frame.ErrMalformed)
			}
			w.buf = append(w.buf, make([]byte, min(len(w.buf), w.limit+1-n))...)
		}
		m, err := r.Read(w.buf[n:])
		n += m
		if errors.Is(err, io.EOF) {
			return w.buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (w *wsConn) Write(ctx context.Context, p []byte) error {
	return w.c.Write(ctx, websocket.MessageBinary, p)
}

func (w *wsConn) Close(code frame.CloseCode, reason string) error {
	return w.c.Close(websocket.StatusCode(code), reason)
}

// wsError turns the peer's close frame into a *CloseError and leaves any
// other error as it is.
func wsError(err error) error {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: frame.CloseCode(ce.Code), Reason: ce.Reason, Remote: true}
	}
	return err
}
