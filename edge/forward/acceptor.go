package forward

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/node"
)

// The defaults of AcceptorConfig.
const (
	// DefaultPreambleTimeout bounds the handshake and the preamble of an
	// accepted connection.
	DefaultPreambleTimeout = 10 * time.Second
	// DefaultMaxConns bounds the connections the acceptor serves at once
	// (contract §3.7: the forward listener caps 4096).
	DefaultMaxConns = 4096
)

// Pauses of the accept loop after an error (too many open files, …).
const (
	minAcceptPause = 5 * time.Millisecond
	maxAcceptPause = time.Second
)

// Deliverer is the local node's side of a forward: it takes a connection
// another node of the region accepted and routed here, as if a client had
// reached this node with the same ClientHello. It routes req.Slug to the
// network's tunnel here (req.To is empty: the connection is for this
// node), checks that the slug still names req.NetworkID and that the
// network takes traffic, opens a stream with req.DestPort, req.Client and
// req.FirstBytes, then copies conn both ways with half-closes until both
// end or ctx does. It never forwards again: a network whose tunnel is not
// here is refused (fail closed, and no loop between nodes). It returns an
// error only when it did not take the connection; the caller closes conn
// after it returns.
type Deliverer interface {
	Deliver(ctx context.Context, req node.ForwardRequest, conn net.Conn) error
}

// AcceptorConfig is an Acceptor's parts. Certs and Deliverer are required;
// a zero limit or duration takes its default.
type AcceptorConfig struct {
	// Certs is the node's mesh material; its Run is the caller's.
	Certs *Certs
	// Deliverer takes the accepted connections: the local node.
	Deliverer Deliverer
	// PreambleTimeout bounds the TLS handshake and the preamble together.
	PreambleTimeout time.Duration
	// MaxConns bounds the connections served at once; more are closed at
	// once (full).
	MaxConns int
	// Logger receives debug lines (slog.Default when nil).
	Logger *slog.Logger
}

// Acceptor serves the forward listener: connections from the other nodes
// of the region, each carrying one client's connection to a network whose
// tunnel this node holds. Its methods are safe for concurrent use.
type Acceptor struct {
	deliver  Deliverer
	timeout  time.Duration
	maxConns int
	tls      *tls.Config
	log      *slog.Logger

	open      atomic.Int64
	accepted  atomic.Uint64
	delivered atomic.Uint64
	refusals  labelCounts
}

// NewAcceptor returns an Acceptor over cfg.
func NewAcceptor(cfg AcceptorConfig) (*Acceptor, error) {
	if cfg.Certs == nil || cfg.Deliverer == nil {
		return nil, errors.New("forward: acceptor needs Certs and a Deliverer")
	}
	return &Acceptor{
		deliver:  cfg.Deliverer,
		timeout:  cmp.Or(max(cfg.PreambleTimeout, 0), DefaultPreambleTimeout),
		maxConns: cmp.Or(max(cfg.MaxConns, 0), DefaultMaxConns),
		tls:      cfg.Certs.serverConfig(),
		log:      cmp.Or(cfg.Logger, slog.Default()),
	}, nil
}

// Serve accepts connections on ln (a plain TCP listener: Serve runs the
// TLS) until ctx ends; then it closes ln and every connection it serves,
// and returns nil once they have ended. Each connection must complete a
// TLS 1.3 handshake with a certificate of a tunneller of this region and
// send a valid preamble within the preamble timeout; it is then answered
// and handed to the Deliverer. Any refusal closes it and is counted by
// reason. An error of Accept other than a transient one ends Serve with
// it.
func (a *Acceptor) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	slots := make(chan struct{}, a.maxConns)
	var wg sync.WaitGroup
	defer wg.Wait()
	pause := time.Duration(0)
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("forward: listener: %w", err)
			}
			pause = min(max(2*pause, minAcceptPause), maxAcceptPause)
			a.log.Warn("forward: accept", "err", err, "pause", pause)
			if !sleep(ctx, pause) {
				return nil
			}
			continue
		}
		pause = 0
		a.accepted.Add(1)
		select {
		case slots <- struct{}{}:
		default:
			a.refusals.add(ReasonFull)
			_ = c.Close()
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			a.serveConn(ctx, c)
		})
	}
}

// serveConn runs one accepted connection to its end, counting a refusal
// by its reason.
func (a *Acceptor) serveConn(ctx context.Context, c net.Conn) {
	a.open.Add(1)
	defer a.open.Add(-1)
	tc := tls.Server(c, a.tls)
	defer func() { _ = tc.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = tc.Close() })
	defer stop()
	p, reason, err := a.admit(ctx, tc)
	if err == nil {
		err = a.deliver.Deliver(ctx, node.ForwardRequest{
			Slug: p.Slug, NetworkID: p.NetworkID, DestPort: p.DestPort,
			Client: p.Client, FirstBytes: p.FirstBytes,
		}, tc)
		reason = ReasonNotDelivered
	}
	if err != nil {
		a.refusals.add(reason)
		a.log.Debug("forward: connection refused", "reason", reason, "peer", c.RemoteAddr().String(), "err", err)
		return
	}
	a.delivered.Add(1)
}

// admit runs the handshake, reads the preamble and answers it, within
// the preamble timeout.
func (a *Acceptor) admit(ctx context.Context, tc *tls.Conn) (Preamble, string, error) {
	_ = tc.SetDeadline(time.Now().Add(a.timeout))
	if err := tc.HandshakeContext(ctx); err != nil {
		return Preamble{}, handshakeReason(err), err
	}
	p, err := ReadPreamble(tc)
	if err != nil {
		if status, ok := preambleStatus(err); ok {
			_, _ = tc.Write([]byte{status}) // best effort: the dialer learns why
		}
		return Preamble{}, PreambleReason(err), err
	}
	if _, err := tc.Write([]byte{statusAccepted}); err != nil {
		return Preamble{}, timeoutOr(err, ReasonWriteError), err
	}
	if err := tc.SetDeadline(time.Time{}); err != nil {
		return Preamble{}, ReasonWriteError, err
	}
	return p, "", nil
}

// preambleStatus is the answer to a refused preamble, when one is due.
func preambleStatus(err error) (byte, bool) {
	switch {
	case errors.Is(err, ErrUnsupportedVersion):
		return statusUnsupported, true
	case errors.Is(err, ErrBadMagic), errors.Is(err, ErrMalformed):
		return statusMalformed, true
	default:
		return 0, false
	}
}

// sleep waits d, or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Stats returns the acceptor's counters.
func (a *Acceptor) Stats() AcceptorStats {
	return AcceptorStats{
		Open: int(a.open.Load()), Accepted: a.accepted.Load(),
		Delivered: a.delivered.Load(), Refusals: a.refusals.snapshot(),
	}
}
