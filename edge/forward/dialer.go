package forward

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/wardnet/wardnet-cloud/edge/node"
)

// DefaultDialTimeout bounds a forward's set-up: the TCP connection, the
// handshake, the preamble and the peer's answer.
const DefaultDialTimeout = 5 * time.Second

// ErrRefused: the peer did not accept the forward (it refused this node's
// certificate or the preamble, or went away before answering). The error
// also wraps the cause.
var ErrRefused = errors.New("forward: refused by peer")

// The acceptor's one-byte answer to a preamble, before any stream byte.
const (
	statusAccepted    = 0x00
	statusMalformed   = 0x01
	statusUnsupported = 0x02
)

// DialerConfig is a Dialer's parts. Certs and Peers are required.
type DialerConfig struct {
	// Certs is the node's mesh material; its Run is the caller's.
	Certs *Certs
	// Peers finds a node's forward address.
	Peers Peers
	// DialTimeout bounds the set-up (DefaultDialTimeout when zero).
	DialTimeout time.Duration
	// Logger receives debug lines (slog.Default when nil).
	Logger *slog.Logger
}

// Dialer forwards connections to the node that holds their network's
// tunnel: the node.Forwarder of a node in a region of several. It is safe
// for concurrent use.
type Dialer struct {
	certs   *Certs
	peers   Peers
	timeout time.Duration
	tls     *tls.Config
	log     *slog.Logger
	dial    net.Dialer

	forwarded atomic.Uint64
	failures  labelCounts
}

var _ node.Forwarder = (*Dialer)(nil)

// NewDialer returns a Dialer over cfg.
func NewDialer(cfg DialerConfig) (*Dialer, error) {
	if cfg.Certs == nil || cfg.Peers == nil {
		return nil, errors.New("forward: dialer needs Certs and Peers")
	}
	return &Dialer{
		certs: cfg.Certs, peers: cfg.Peers,
		timeout: cmp.Or(max(cfg.DialTimeout, 0), DefaultDialTimeout),
		tls:     cfg.Certs.clientConfig(),
		log:     cmp.Or(cfg.Logger, slog.Default()),
	}, nil
}

// Forward connects to req.To over mutual TLS, pinning a tunneller of this
// node's region, sends the preamble (slug, network, port, client and
// first bytes) and waits for the peer to accept it; then it copies conn's
// bytes to the peer and the peer's back, with half-closes, until both
// directions end or ctx does. It returns an error (and has sent nothing
// of conn's) only when the peer could not be reached or did not accept
// the forward; the caller closes conn.
func (d *Dialer) Forward(ctx context.Context, req node.ForwardRequest, conn net.Conn) error {
	tc, reason, err := d.open(ctx, req)
	if err != nil {
		d.failures.add(reason)
		return fmt.Errorf("forward %s to %s: %w", req.Slug, req.To, err)
	}
	defer func() { _ = tc.Close() }()
	d.forwarded.Add(1)
	splice(ctx, conn, tc)
	return nil
}

// open dials req.To and has it accept req's preamble, within the dial
// timeout; on failure it says why as a metric label.
func (d *Dialer) open(ctx context.Context, req node.ForwardRequest) (*tls.Conn, string, error) {
	pre, err := Preamble{
		Slug: req.Slug, NetworkID: req.NetworkID, DestPort: req.DestPort,
		Client: req.Client, FirstBytes: req.FirstBytes,
	}.AppendBinary(nil)
	if err != nil {
		return nil, ReasonInvalidRequest, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	addr, err := d.peers.Addr(ctx, req.To)
	if err != nil {
		return nil, ReasonNoPeer, fmt.Errorf("resolve: %w", err)
	}
	raw, err := d.dial.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, timeoutOr(err, ReasonDial), fmt.Errorf("dial %s: %w", addr, err)
	}
	tc := tls.Client(raw, d.tls)
	if reason, err := d.handshake(ctx, tc, pre); err != nil {
		_ = tc.Close()
		return nil, reason, err
	}
	return tc, "", nil
}

// handshake runs the TLS handshake, writes the preamble and reads the
// peer's answer, all before ctx's deadline.
func (d *Dialer) handshake(ctx context.Context, tc *tls.Conn, pre []byte) (string, error) {
	deadline, _ := ctx.Deadline()
	_ = tc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = tc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := tc.HandshakeContext(ctx); err != nil {
		return handshakeReason(err), fmt.Errorf("handshake: %w", err)
	}
	if _, err := tc.Write(pre); err != nil {
		return timeoutOr(err, ReasonRefused), fmt.Errorf("%w: write preamble: %w", ErrRefused, err)
	}
	// The answer is also where a peer that refused our certificate says
	// so: in TLS 1.3 the client's handshake ends before the server has
	// checked the client's certificate.
	var status [1]byte
	if _, err := tc.Read(status[:]); err != nil {
		return timeoutOr(err, ReasonRefused), fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if status[0] != statusAccepted {
		return ReasonRefused, fmt.Errorf("%w: status %d", ErrRefused, status[0])
	}
	if !stop() { // ctx ended as the answer came: the deadline is in the past
		return ReasonTimeout, ctx.Err()
	}
	if err := tc.SetDeadline(time.Time{}); err != nil {
		return ReasonHandshake, err
	}
	return "", nil
}

// timeoutOr is ReasonTimeout for a timeout, else reason.
func timeoutOr(err error, reason string) string {
	if isTimeout(err) {
		return ReasonTimeout
	}
	return reason
}

// Stats returns the dialer's counters.
func (d *Dialer) Stats() DialerStats {
	return DialerStats{Forwarded: d.forwarded.Load(), Failures: d.failures.snapshot()}
}
