package tunnel

import (
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/edge/frame"
)

// What a session's and a stream's operations report. Callers branch with
// errors.Is and errors.As.
var (
	// ErrSessionClosed: the session has ended; the error also wraps the
	// session's *CloseError.
	ErrSessionClosed = errors.New("tunnel session closed")
	// ErrTooManyStreams: opening one more stream or flow would pass a
	// limit of Options (MaxStreams, MaxPending, MaxFlows).
	ErrTooManyStreams = errors.New("too many tunnel streams")
	// ErrGoAway: the peer sent GOAWAY, so this side opens nothing more on
	// the tunnel; or the stream had an id above the GOAWAY's last stream
	// and was never served (it may be retried on another tunnel).
	ErrGoAway = errors.New("tunnel going away")
	// ErrOpenTimeout: the peer did not answer an OPEN (v2) or CONNECT
	// (v1) in time; the stream was reset (v2) or closed (v1).
	ErrOpenTimeout = errors.New("tunnel stream not answered in time")
	// ErrIdsExhausted: this side has used all its stream ids.
	ErrIdsExhausted = errors.New("tunnel stream ids exhausted")
	// ErrWriteClosed: a write after CloseWrite (or, in v1, after the peer
	// closed the stream).
	ErrWriteClosed = errors.New("tunnel stream closed for writing")
	// ErrOverflow: (v1, which has no flow control) the peer sent more than
	// the stream's queue holds, so the stream was closed.
	ErrOverflow = errors.New("tunnel stream queue overflow")
	// ErrFlowIdle: a UDP flow carried nothing for the idle timeout and was
	// closed.
	ErrFlowIdle = errors.New("tunnel flow idle")
	// ErrWrongSide: the operation belongs to the other end of the tunnel
	// (OpenStream on a daemon's session, Accept on a node's, Confirm on a
	// stream this side opened).
	ErrWrongSide = errors.New("not this side's operation")
)

// ResetError is a stream aborted by RESET: Remote when the peer sent it,
// otherwise this side did (a local Reset, or the peer broke a rule of the
// stream and was reset with the code).
type ResetError struct {
	Code   frame.ResetCode
	Remote bool
}

func (e *ResetError) Error() string {
	if e.Remote {
		return fmt.Sprintf("tunnel stream reset by the peer: %s", e.Code)
	}
	return fmt.Sprintf("tunnel stream reset: %s", e.Code)
}

// RefusedError is a stream or flow the daemon refused (OPEN_REFUSED), or
// that a v1 daemon closed before READY.
type RefusedError struct {
	Reason frame.RefuseReason
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("tunnel stream refused: %s", e.Reason)
}

// Errors the reader returns to end the session.
var (
	// ErrProtocol: the peer broke a rule of the protocol with frames that
	// decode (an id of the wrong parity, a frame for a stream never
	// opened); the session closed with 4005.
	ErrProtocol = errors.New("tunnel protocol violation")
	errPolicy   = errors.New("tunnel peer over a limit")
)

func protocolErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

// sessionEnded is what a stream reports once its session has ended.
func sessionEnded(cause error) error {
	return fmt.Errorf("%w: %w", ErrSessionClosed, cause)
}
