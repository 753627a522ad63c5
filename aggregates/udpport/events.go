package udpport

import "github.com/wardnet/wardnet-cloud/aggregates/ids"

// Reason says why a port was released.
type Reason string

// The reasons for a release.
const (
	// ReasonDeprovisioned: the network is being deprovisioned, or is gone.
	ReasonDeprovisioned Reason = "deprovisioned"
	// ReasonOperator: an operator freed the port by hand.
	ReasonOperator Reason = "operator"
	// ReasonOutOfRange: the pool's range no longer includes the port;
	// Allocate gives the network another one in the same append.
	ReasonOutOfRange Reason = "out_of_range"
)

// Valid reports whether r is a reason a caller may give Release
// (ReasonOutOfRange is Allocate's alone).
func (r Reason) Valid() bool { return r == ReasonDeprovisioned || r == ReasonOperator }

// Allocated records that network NetworkID holds Port.
type Allocated struct {
	NetworkID ids.NetworkID `json:"network_id"`
	Port      uint16        `json:"port"`
}

// EventType implements events.Payload.
func (Allocated) EventType() string { return "wardnet.udpport.allocated" }

// Released frees the Port that NetworkID held.
type Released struct {
	NetworkID ids.NetworkID `json:"network_id"`
	Port      uint16        `json:"port"`
	Reason    Reason        `json:"reason"`
}

// EventType implements events.Payload.
func (Released) EventType() string { return "wardnet.udpport.released" }
