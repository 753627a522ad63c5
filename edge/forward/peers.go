package forward

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/wardnet/wardnet-cloud/edge/presence"
)

// DefaultPort is the forward listener's port (contract §6.4,
// FORWARD_LISTEN_ADDR 0.0.0.0:9444).
const DefaultPort = 9444

// ErrUnknownPeer: Peers knows no address for the node.
var ErrUnknownPeer = errors.New("forward: unknown peer node")

// Peers finds the forward address (host:port) of a node presence names.
// The host may be a DNS name: the dial resolves it.
type Peers interface {
	Addr(ctx context.Context, id presence.NodeID) (string, error)
}

// HostPeers takes a node's id for its forward address: host:port, or a
// host alone (a DNS name, an IP address) to which Port is added
// (DefaultPort when zero). It is the resolver for nodes whose presence id
// is their address in the region, as node.Config.Self says it should be.
type HostPeers struct{ Port uint16 }

// Addr returns id as host:port.
func (h HostPeers) Addr(_ context.Context, id presence.NodeID) (string, error) {
	if _, err := presence.ParseNodeID(string(id)); err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnknownPeer, err)
	}
	s := string(id)
	if host, port, err := net.SplitHostPort(s); err == nil {
		if host == "" || port == "" {
			return "", fmt.Errorf("%w: %q", ErrUnknownPeer, s)
		}
		return s, nil
	}
	port := h.Port
	if port == 0 {
		port = DefaultPort
	}
	return net.JoinHostPort(s, strconv.Itoa(int(port))), nil
}

// StaticPeers is a fixed table of node ids to forward addresses.
type StaticPeers map[presence.NodeID]string

// Addr returns the id's address in the table, or ErrUnknownPeer.
func (s StaticPeers) Addr(_ context.Context, id presence.NodeID) (string, error) {
	addr, ok := s[id]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrUnknownPeer, id)
	}
	return addr, nil
}

var (
	_ Peers = HostPeers{}
	_ Peers = StaticPeers(nil)
)
