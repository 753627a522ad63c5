package proxyproto

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// Mode says whether a listener expects a PROXY protocol header.
type Mode int

const (
	// Required accepts only connections that open with a PROXY header naming
	// a TCP client. It is the zero value, so a forgotten setting fails
	// closed.
	Required Mode = iota
	// Off passes connections through untouched: nothing in front of the
	// service (development). A PROXY header would reach HTTP as garbage.
	Off
)

// DefaultHeaderTimeout bounds how long a connection may take to deliver its
// PROXY header. A proxy sends it at once with the connection, so a short
// bound costs nothing and keeps a silent client from holding a connection.
const DefaultHeaderTimeout = 5 * time.Second

// String returns "required" or "off".
func (m Mode) String() string {
	switch m {
	case Required:
		return "required"
	case Off:
		return "off"
	default:
		return fmt.Sprintf("Mode(%d)", int(m))
	}
}

// ParseMode parses "required" or "off" (case-insensitive).
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "required":
		return Required, nil
	case "off":
		return Off, nil
	default:
		return 0, fmt.Errorf("proxy protocol mode %q: want required or off", s)
	}
}

// UnmarshalText lets configuration loaders (envconfig) read a Mode.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalText writes the Mode as ParseMode reads it.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Option adjusts a listener.
type Option func(*options)

type options struct {
	headerTimeout time.Duration
	onReject      func(peer net.Addr, err error)
}

// WithHeaderTimeout sets how long a connection may take to deliver its
// header (DefaultHeaderTimeout when unset or not positive).
func WithHeaderTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.headerTimeout = d
		}
	}
}

// OnReject registers f to hear about every connection closed for a missing
// or invalid header, with the TCP peer's address. A misconfigured proxy
// otherwise shows only as clients whose connections drop, so services
// count or log these. f runs on the connection's goroutine and must not
// block.
func OnReject(f func(peer net.Addr, err error)) Option {
	return func(o *options) { o.onReject = f }
}

// Listen listens on a TCP address and wraps the listener for mode.
func Listen(network, addr string, mode Mode, opts ...Option) (net.Listener, error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return Wrap(ln, mode, opts...), nil
}

// Wrap returns ln for mode: itself when Off; in Required mode, a listener
// whose connections are *Conn. Accept never reads from a connection: the
// header is read on the connection's first use (Read, Write, RemoteAddr,
// Source), on the goroutine that serves it, so a slow client cannot stall
// the accept loop.
func Wrap(ln net.Listener, mode Mode, opts ...Option) net.Listener {
	if mode == Off {
		return ln
	}
	o := options{headerTimeout: DefaultHeaderTimeout}
	for _, f := range opts {
		f(&o)
	}
	return &listener{Listener: ln, opts: o}
}

type listener struct {
	net.Listener
	opts options
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newConn(c, l.opts), nil
}
