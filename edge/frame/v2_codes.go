package frame

import "fmt"

// RefuseReason is why a daemon refused an OPEN or FLOW_OPEN
// (OPEN_REFUSED). Receivers treat a value they do not know like
// RefuseUnspecified.
type RefuseReason uint16

// The refusal reasons.
const (
	RefuseUnspecified    RefuseReason = 0
	RefusePortNotServed  RefuseReason = 1 // nothing is served on dest_port (443 before the web proxy, a disabled feature)
	RefuseConnectFailed  RefuseReason = 2 // the local service refused or reset the connection
	RefuseConnectTimeout RefuseReason = 3 // the local connect did not complete in time
	RefuseTooManyStreams RefuseReason = 4 // the daemon's cap on streams or flows is reached
)

// ResetCode is why a stream was aborted (RESET). Receivers treat a value
// they do not know like ResetCancel.
type ResetCode uint16

// The reset codes.
const (
	ResetCancel        ResetCode = 0 // the sender no longer wants the stream (its client went away)
	ResetProtocolError ResetCode = 1 // the peer broke the protocol on this stream
	ResetFlowControl   ResetCode = 2 // the peer sent more than the stream's window
	ResetInternal      ResetCode = 3 // the sender failed
	ResetIdleTimeout   ResetCode = 4 // nothing moved on the stream for too long
)

// GoAwayReason is why the sender of GOAWAY wants the tunnel to end.
// Receivers treat a value they do not know like GoAwayShutdown.
type GoAwayReason uint16

// The GOAWAY reasons.
const (
	GoAwayShutdown  GoAwayReason = 0 // the sender is going away (a daemon stopping)
	GoAwayDraining  GoAwayReason = 1 // the node is shutting down or being replaced
	GoAwayRebalance GoAwayReason = 2 // the node moves the tunnel to spread load
)

var (
	refuseNames = [...]string{"unspecified", "port not served", "connect failed", "connect timeout", "too many streams"}
	resetNames  = [...]string{"cancel", "protocol error", "flow control", "internal", "idle timeout"}
	goAwayNames = [...]string{"shutdown", "draining", "rebalance"}
)

func codeName(names []string, code uint16, kind string) string {
	if int(code) < len(names) {
		return names[code]
	}
	return fmt.Sprintf("%s(%d)", kind, code)
}

func (r RefuseReason) String() string { return codeName(refuseNames[:], uint16(r), "refuse") }
func (c ResetCode) String() string    { return codeName(resetNames[:], uint16(c), "reset") }
func (g GoAwayReason) String() string { return codeName(goAwayNames[:], uint16(g), "goaway") }
