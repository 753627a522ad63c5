package proxyproto

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Conn is a connection accepted in Required mode. Its first use reads the
// PROXY header; if that fails, the connection is closed and every later
// Read and Write returns the error. RemoteAddr is the header's source once
// the header is read.
type Conn struct {
	raw  net.Conn
	opts options

	once   sync.Once
	source netip.AddrPort // the header's source; set by once when err is nil
	err    error          // set by once

	mu sync.Mutex
	// buf holds bytes read past the header's first byte while framing it;
	// they belong to the application and are returned by Read before any
	// read of raw. nil once drained. mu guards it.
	buf *bufio.Reader
	// readDeadline is the deadline the user asked for; while the header is
	// being read, raw has the earlier header deadline instead. mu guards it
	// and done, and is held while raw's read deadline changes, so the two
	// never apply out of order.
	readDeadline   time.Time
	headerDeadline time.Time // what raw has while the header is read
	done           bool
}

var _ net.Conn = (*Conn)(nil)

func newConn(raw net.Conn, opts options) *Conn {
	return &Conn{raw: raw, opts: opts, buf: bufio.NewReaderSize(raw, 512)}
}

// handshake reads and checks the header once.
func (c *Conn) handshake() error {
	c.once.Do(func() {
		c.source, c.err = c.readHeader()
		if c.err != nil {
			// Fail closed: nothing of this connection may reach the
			// application, and the peer should learn at once.
			_ = c.raw.Close()
			if c.opts.onReject != nil {
				c.opts.onReject(c.raw.RemoteAddr(), c.err)
			}
		}
	})
	return c.err
}

func (c *Conn) readHeader() (netip.AddrPort, error) {
	c.mu.Lock()
	deadline := time.Now().Add(c.opts.headerTimeout)
	if !c.readDeadline.IsZero() && c.readDeadline.Before(deadline) {
		deadline = c.readDeadline
	}
	c.headerDeadline = deadline
	err := c.raw.SetReadDeadline(deadline)
	c.mu.Unlock()
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("proxyproto: set header deadline: %w", err)
	}

	// Only this goroutine touches buf until done is set.
	frame, ferr := readFrame(c.buf)

	c.mu.Lock()
	c.done = true
	// Best effort: setting a deadline fails only on a closed connection
	// (net.Pipe: also once the peer closed), whose next read fails anyway;
	// a header already read stays valid.
	_ = c.raw.SetReadDeadline(c.readDeadline)
	c.mu.Unlock()
	if ferr != nil {
		return netip.AddrPort{}, ferr
	}
	return parse(frame)
}

// Source returns the client address the PROXY header names, reading the
// header first if nothing has yet.
func (c *Conn) Source() (netip.AddrPort, error) {
	if err := c.handshake(); err != nil {
		return netip.AddrPort{}, err
	}
	return c.source, nil
}

// Read returns the bytes after the header.
func (c *Conn) Read(p []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	c.mu.Lock()
	if b := c.buf; b != nil {
		if b.Buffered() > 0 {
			// Buffered data is copied without reading raw, so this
			// never blocks while holding mu.
			n, err := b.Read(p)
			if b.Buffered() == 0 {
				c.buf = nil
			}
			c.mu.Unlock()
			return n, err
		}
		c.buf = nil
	}
	c.mu.Unlock()
	return c.raw.Read(p)
}

// Write writes to the client once its header has been accepted.
func (c *Conn) Write(p []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.raw.Write(p)
}

// Close closes the connection.
func (c *Conn) Close() error { return c.raw.Close() }

// CloseWrite half-closes the connection when the underlying one can, as
// net/http does after an error response.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.raw.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// LocalAddr is the local end of the TCP connection (not the header's
// destination, which is the proxy's listener).
func (c *Conn) LocalAddr() net.Addr { return c.raw.LocalAddr() }

// RemoteAddr is the header's source, or the TCP peer when the header was
// refused.
func (c *Conn) RemoteAddr() net.Addr {
	if src, err := c.Source(); err == nil {
		return net.TCPAddrFromAddrPort(src)
	}
	return c.raw.RemoteAddr()
}

// Peer is the TCP peer: the proxy in production.
func (c *Conn) Peer() net.Addr { return c.raw.RemoteAddr() }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.raw.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline. While the header is being read
// the earlier of it and the header deadline applies.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readDeadline = t
	if !c.done && (t.IsZero() || !t.Before(c.headerDeadline)) {
		// Never extend the header deadline; the user's applies once the
		// header is read.
		return nil
	}
	return c.raw.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.raw.SetWriteDeadline(t) }
