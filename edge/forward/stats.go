package forward

import (
	"errors"
	"maps"
	"net"
	"os"
	"sync"
)

// Reasons, as metric labels, why the acceptor closed a connection without
// delivering it, or why a dial did not hand one over.
const (
	// Peer certificate refusals (PeerError.Reason).
	ReasonNoCertificate = "no_certificate"
	ReasonUntrusted     = "untrusted"
	ReasonNoSPIFFEID    = "no_spiffe_id"
	ReasonOtherService  = "other_service"
	ReasonOtherRegion   = "other_region"
	// ReasonHandshake: the TLS handshake failed otherwise (not TLS, not
	// 1.3, the peer went away).
	ReasonHandshake = "handshake"
	// ReasonTimeout: the deadline for the handshake and the preamble (or
	// the dial's) passed.
	ReasonTimeout = "timeout"
	// Preamble refusals (PreambleReason).
	ReasonBadMagic           = "bad_magic"
	ReasonUnsupportedVersion = "unsupported_version"
	ReasonMalformed          = "malformed"
	ReasonTruncated          = "truncated"
	ReasonReadError          = "read_error"
	// ReasonWriteError: the answer to the preamble could not be written.
	ReasonWriteError = "write_error"
	// ReasonNotDelivered: the Deliverer did not take the connection (the
	// network's tunnel is not here, …).
	ReasonNotDelivered = "not_delivered"
	// ReasonFull: the acceptor serves MaxConns connections.
	ReasonFull = "full"

	// Dialer-only reasons.
	// ReasonInvalidRequest: the request cannot be put in a preamble.
	ReasonInvalidRequest = "invalid_request"
	// ReasonNoPeer: Peers knows no address for the node.
	ReasonNoPeer = "no_peer"
	// ReasonDial: the TCP connection failed.
	ReasonDial = "dial"
	// ReasonRefused: the peer closed the connection, or answered with a
	// refusal, instead of accepting the preamble (it refused our
	// certificate or the preamble).
	ReasonRefused = "refused"
)

// isTimeout reports whether err is a deadline or timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// handshakeReason is the label of a failed handshake.
func handshakeReason(err error) string {
	var pe *PeerError
	switch {
	case errors.As(err, &pe):
		return pe.Reason
	case isTimeout(err):
		return ReasonTimeout
	default:
		return ReasonHandshake
	}
}

// labelCounts counts by label; safe for concurrent use.
type labelCounts struct {
	mu sync.Mutex
	m  map[string]uint64
}

func (l *labelCounts) add(label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]uint64{}
	}
	l.m[label]++
}

func (l *labelCounts) snapshot() map[string]uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		return map[string]uint64{}
	}
	return maps.Clone(l.m)
}

// AcceptorStats is a snapshot of an acceptor's counters.
type AcceptorStats struct {
	// Open is the number of connections served now.
	Open int
	// Accepted counts the TCP connections accepted; Delivered those the
	// Deliverer took.
	Accepted, Delivered uint64
	// Refusals counts the connections closed without being delivered, by
	// reason (the Reason constants).
	Refusals map[string]uint64
}

// DialerStats is a snapshot of a dialer's counters.
type DialerStats struct {
	// Forwarded counts the connections a peer accepted.
	Forwarded uint64
	// Failures counts the connections not handed over, by reason.
	Failures map[string]uint64
}
