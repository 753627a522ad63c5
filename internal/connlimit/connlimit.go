package connlimit

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// ErrTooManyConns is what Read and Write return on a connection that was
// refused: its client already held the maximum.
var ErrTooManyConns = errors.New("connlimit: too many connections from this client")

// Counter counts the open connections of each client. One Counter may
// serve several listeners, so that a client's connections to all of them
// count together. It is safe for concurrent use.
type Counter struct {
	max int

	mu   sync.Mutex
	open map[netip.Prefix]int // mu guards it; absent means 0
}

// NewCounter returns a Counter that admits at most max connections per
// client; max < 1 admits any number.
func NewCounter(max int) *Counter {
	return &Counter{max: max, open: make(map[netip.Prefix]int)}
}

// Max is the number of connections a client may hold.
func (c *Counter) Max() int { return c.max }

// Open is the number of counted connections client p holds now.
func (c *Counter) Open(p netip.Prefix) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open[p]
}

// acquire counts one more connection of p unless p holds max already.
func (c *Counter) acquire(p netip.Prefix) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max > 0 && c.open[p] >= c.max {
		return false
	}
	c.open[p]++
	return true
}

func (c *Counter) release(p netip.Prefix) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[p] <= 1 {
		delete(c.open, p)
		return
	}
	c.open[p]--
}

// Options adjust Wrap. The zero value refuses by closing.
type Options struct {
	// Refuse is called with a refused connection before it is closed, on
	// the connection's goroutine; it may write a last answer, with a write
	// deadline of RefuseTimeout already set. client is the refused
	// client's address.
	Refuse func(c net.Conn, client netip.Addr)
	// RefuseTimeout bounds Refuse's writes; default 2 s.
	RefuseTimeout time.Duration
}

// Wrap returns ln with every accepted connection counted by counter.
func Wrap(ln net.Listener, counter *Counter, opts Options) net.Listener {
	if opts.RefuseTimeout <= 0 {
		opts.RefuseTimeout = 2 * time.Second
	}
	return &listener{Listener: ln, counter: counter, opts: opts}
}

type listener struct {
	net.Listener
	counter *Counter
	opts    Options
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, l: l}, nil
}

// sourcer is a connection whose client is named by a header it may fail to
// read (proxyproto.Conn).
type sourcer interface {
	Source() (netip.AddrPort, error)
}

// conn is an accepted connection that is admitted or refused on its first
// Read or Write.
type conn struct {
	net.Conn
	l *listener

	once    sync.Once
	err     error        // ErrTooManyConns once refused; set by once
	client  netip.Prefix // what is counted, when counted
	counted bool         // set by once; release on Close
	closed  sync.Once
}

// admit decides once whether the connection may be used.
func (c *conn) admit() error {
	c.once.Do(func() {
		if s, ok := c.Conn.(sourcer); ok {
			if _, err := s.Source(); err != nil {
				return // refused by the PROXY listener: closed already
			}
		}
		addr := addrOf(c.Conn.RemoteAddr())
		if addr.IsLoopback() {
			return
		}
		c.client = proxyproto.ClientPrefix(addr)
		if c.l.counter.acquire(c.client) {
			c.counted = true
			return
		}
		c.err = ErrTooManyConns
		if c.l.opts.Refuse != nil {
			_ = c.Conn.SetWriteDeadline(time.Now().Add(c.l.opts.RefuseTimeout))
			c.l.opts.Refuse(c.Conn, addr)
			lingerClose(c.Conn, c.l.opts.RefuseTimeout)
			return
		}
		_ = c.Conn.Close()
	})
	return c.err
}

func (c *conn) Read(p []byte) (int, error) {
	if err := c.admit(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *conn) Write(p []byte) (int, error) {
	if err := c.admit(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// Close closes the connection and stops counting it.
func (c *conn) Close() error {
	err := c.Conn.Close()
	c.closed.Do(func() {
		c.once.Do(func() {}) // a connection closed unused is never admitted
		if c.counted {
			c.l.counter.release(c.client)
		}
	})
	return err
}

// CloseWrite half-closes the connection when the one below can, as
// net/http does after an error answer.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// NetConn is the connection below, for code that looks through wrappers
// (proxyproto.ClientIP).
func (c *conn) NetConn() net.Conn { return c.Conn }

func addrOf(a net.Addr) netip.Addr {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort().Addr().Unmap()
	case nil:
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// refuseDrain bounds what lingerClose reads of a refused client's request.
const refuseDrain = 64 << 10

// lingerClose ends a refused connection so that its refusal arrives:
// closing a socket that holds unread input (the request the client sent
// at once) sends a reset, which can destroy the refusal on its way. It
// half-closes instead, then reads and discards what the client sent, up
// to refuseDrain bytes and within timeout, before closing (as net/http
// does for a connection it will not read further).
func lingerClose(c net.Conn, timeout time.Duration) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		_ = c.SetReadDeadline(time.Now().Add(timeout))
		_, _ = io.CopyN(io.Discard, c, refuseDrain)
	}
	_ = c.Close()
}
