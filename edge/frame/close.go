package frame

import "fmt"

// CloseCode is a WebSocket close status the tunnel uses, in the range
// RFC 6455 leaves to applications (4000–4999). Both versions use them; the
// specification says what a daemon does on each (reconnect now, back off,
// or stay down until something changes).
type CloseCode uint16

// The close codes.
const (
	// CloseDisplaced: a newer tunnel for the same network took this one's
	// place. Reconnect only with backoff: two daemons of one network
	// displacing each other must not loop.
	CloseDisplaced CloseCode = 4000
	// CloseNetworkDeprovisioned: the network is gone or being
	// deprovisioned. Do not reconnect until the daemon is enrolled again.
	CloseNetworkDeprovisioned CloseCode = 4001
	// CloseEntitlementLapsed: the tenant's subscription no longer covers
	// tunnels. Reconnect only after a token mint succeeds again.
	CloseEntitlementLapsed CloseCode = 4002
	// CloseNodeDraining: the node is shutting down or moving tunnels (the
	// end of a GOAWAY's grace). Reconnect at once, to another node.
	CloseNodeDraining CloseCode = 4003
	// CloseIdleTimeout: nothing arrived for the idle timeout. Reconnect
	// with backoff.
	CloseIdleTimeout CloseCode = 4004
	// CloseProtocolError: a frame was malformed or broke the protocol's
	// rules (ErrMalformed, a flow-control violation, an unknown mandatory
	// type). Reconnect with backoff.
	CloseProtocolError CloseCode = 4005
	// ClosePolicy: the daemon exceeded a limit of the node's (streams,
	// rates, buffered bytes). Reconnect with backoff.
	ClosePolicy CloseCode = 4006
)

var closeNames = map[CloseCode]string{
	CloseDisplaced:            "displaced",
	CloseNetworkDeprovisioned: "network deprovisioned",
	CloseEntitlementLapsed:    "entitlement lapsed",
	CloseNodeDraining:         "node draining",
	CloseIdleTimeout:          "idle timeout",
	CloseProtocolError:        "protocol error",
	ClosePolicy:               "policy",
}

// String is the code's name, which the node also sends as the close
// reason text.
func (c CloseCode) String() string {
	if n, ok := closeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("close(%d)", uint16(c))
}
