package frame

import (
	"fmt"
	"strings"
)

// Version is a version of the tunnel protocol.
type Version uint8

// The versions. V1 is what a daemon speaks when it offers no subprotocol.
const (
	V1 Version = 1
	V2 Version = 2
)

// The WebSocket subprotocols (Sec-WebSocket-Protocol) that name the
// versions. A daemon that offers none speaks V1.
const (
	SubprotocolV1 = "wardnet-tunnel.v1"
	SubprotocolV2 = "wardnet-tunnel.v2"
)

func (v Version) String() string {
	switch v {
	case V1, V2:
		return fmt.Sprintf("v%d", uint8(v))
	}
	return fmt.Sprintf("version(%d)", uint8(v))
}

// Subprotocol is the subprotocol that names v, or "" for an unknown
// version.
func (v Version) Subprotocol() string {
	switch v {
	case V1:
		return SubprotocolV1
	case V2:
		return SubprotocolV2
	}
	return ""
}

// Subprotocols is the node's list for its WebSocket library, most
// preferred first: the node selects the first of these the daemon offers.
func Subprotocols() []string { return []string{SubprotocolV2, SubprotocolV1} }

// Negotiate is the node's choice from the Sec-WebSocket-Protocol values a
// daemon offered (each value may list several, comma-separated): the
// newest version offered and the subprotocol to echo, or V1 and "" when
// the daemon offered none the node knows (an old daemon: v1, no header
// in the answer).
func Negotiate(offered []string) (Version, string) {
	best := Version(0)
	for _, value := range offered {
		for token := range strings.SplitSeq(value, ",") {
			token = strings.TrimSpace(token)
			if token == "" {
				continue
			}
			if v, err := VersionOf(token); err == nil && v > best {
				best = v
			}
		}
	}
	if best == 0 {
		return V1, ""
	}
	return best, best.Subprotocol()
}

// VersionOf is the daemon's reading of the subprotocol the node selected:
// none or SubprotocolV1 is V1, SubprotocolV2 is V2. Anything else is an
// error: a node must not select a subprotocol the daemon did not offer.
func VersionOf(selected string) (Version, error) {
	switch selected {
	case "", SubprotocolV1:
		return V1, nil
	case SubprotocolV2:
		return V2, nil
	}
	return 0, fmt.Errorf("tunnel subprotocol %q: not one of %q, %q", selected, SubprotocolV1, SubprotocolV2)
}
