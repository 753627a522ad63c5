package httpserver

import (
	"errors"
	"fmt"
	"time"
)

// Limits are the limits of one HTTP server. Their variables are spelled in
// full so that grep finds them; docs/operations.md explains each default.
type Limits struct {
	// ReadHeaderTimeout bounds the time from a request's first byte (or
	// the connection's opening) to the end of its headers.
	ReadHeaderTimeout time.Duration `envconfig:"WARDNET_HTTP_READ_HEADER_TIMEOUT"`
	// ReadTimeout bounds the time from a request's first byte to the end
	// of its body: with the 1 MiB body cap, a client must send at 1 MiB /
	// ReadTimeout at least. A client that dribbles its body is cut off at
	// ReadTimeout, and a handler still running then has its context
	// cancelled.
	ReadTimeout time.Duration `envconfig:"WARDNET_HTTP_READ_TIMEOUT"`
	// WriteTimeout bounds the time from the end of a request's headers to
	// the end of its answer: the body, the handler and the answer's bytes.
	// It must be longer than ReadTimeout.
	WriteTimeout time.Duration `envconfig:"WARDNET_HTTP_WRITE_TIMEOUT"`
	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request.
	IdleTimeout time.Duration `envconfig:"WARDNET_HTTP_IDLE_TIMEOUT"`
	// MaxHeaderBytes bounds a request's line and headers; beyond it the
	// answer is 431.
	MaxHeaderBytes int `envconfig:"WARDNET_HTTP_MAX_HEADER_BYTES"`
	// MaxConnsPerClient is how many connections one client (an IPv4
	// address, an IPv6 /64) may hold open on one service at once; the next
	// is answered 429 and closed. Loopback clients are not counted.
	MaxConnsPerClient int `envconfig:"WARDNET_HTTP_MAX_CONNS_PER_CLIENT"`
}

// DefaultLimits are the limits before the environment is read.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
		MaxConnsPerClient: 32,
	}
}

// Validate reports every invalid limit at once, naming the variables.
func (l Limits) Validate() error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"WARDNET_HTTP_READ_HEADER_TIMEOUT", l.ReadHeaderTimeout},
		{"WARDNET_HTTP_READ_TIMEOUT", l.ReadTimeout},
		{"WARDNET_HTTP_WRITE_TIMEOUT", l.WriteTimeout},
		{"WARDNET_HTTP_IDLE_TIMEOUT", l.IdleTimeout},
	} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %s", d.name, d.v))
		}
	}
	if l.ReadHeaderTimeout > l.ReadTimeout {
		errs = append(errs, fmt.Errorf("WARDNET_HTTP_READ_HEADER_TIMEOUT (%s) must not exceed WARDNET_HTTP_READ_TIMEOUT (%s)", l.ReadHeaderTimeout, l.ReadTimeout))
	}
	if l.WriteTimeout <= l.ReadTimeout {
		errs = append(errs, fmt.Errorf("WARDNET_HTTP_WRITE_TIMEOUT (%s) must be longer than WARDNET_HTTP_READ_TIMEOUT (%s): it also covers reading the body", l.WriteTimeout, l.ReadTimeout))
	}
	if l.MaxHeaderBytes < 4<<10 || l.MaxHeaderBytes > 1<<20 {
		errs = append(errs, fmt.Errorf("WARDNET_HTTP_MAX_HEADER_BYTES must be 4096 to 1048576, got %d", l.MaxHeaderBytes))
	}
	if l.MaxConnsPerClient < 1 {
		errs = append(errs, fmt.Errorf("WARDNET_HTTP_MAX_CONNS_PER_CLIENT must be at least 1, got %d", l.MaxConnsPerClient))
	}
	return errors.Join(errs...)
}
