package tunneller

import "context"

// Commands is every command of the tunneller service. Each is declared,
// with its rules, in the file named after it.
type Commands interface {
	// AllocateUDPPort gives a live network of the region its stable UDP
	// port from the region's pool, and returns it (the edge node, holding
	// the network's v2 tunnel).
	AllocateUDPPort(ctx context.Context, c AllocateUDPPort) (uint16, error)
	// ReleaseUDPPort gives a network's port back to the pool (the process
	// manager, when the network goes; an operator).
	ReleaseUDPPort(ctx context.Context, c ReleaseUDPPort) error
}

var _ Commands = (*App)(nil)
