package tunneller

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

// AllocateUDPPort asks for the UDP port of network NetworkID.
type AllocateUDPPort struct {
	NetworkID ids.NetworkID
}

// AllocateUDPPort returns the network's port in the region's pool,
// allocating the lowest free one when it has none (udpport.Allocate):
// a network keeps its port for as long as it lives, across reconnects and
// nodes, so calling it again for a network that has one appends nothing.
// The network must exist (NotFound), be of this region (Forbidden) and be
// live (Conflict); a full pool is Unavailable (udpport.ErrExhausted).
//
// Two allocations at once, from two nodes, both decide on the same pool:
// the append of one conflicts, and aggregates.Execute decides it again on
// the other's allocation, so no port is handed out twice.
func (a *App) AllocateUDPPort(ctx context.Context, c AllocateUDPPort) (uint16, error) {
	if c.NetworkID == "" {
		return 0, refuse(BadRequest, msgNoNetwork, nil)
	}
	var port uint16
	_, err := aggregates.Execute(ctx, a.d.Store, events.Meta{Actor: "tunneller"}, func(ctx context.Context, tx *aggregates.Tx) error {
		n, err := aggregates.Get(ctx, tx, a.networks, c.NetworkID.String())
		if err != nil {
			return err
		}
		switch {
		case !n.Exists():
			return refuse(NotFound, msgNetworkNotFound, nil)
		case n.Region != a.d.Region:
			return refuse(Forbidden, msgOtherRegion, nil)
		case !n.Live():
			return refuse(Conflict, msgNotLive, network.ErrWrongState)
		}
		pool, err := aggregates.Get(ctx, tx, a.pools, string(a.d.Region))
		if err != nil {
			return err
		}
		decided, err := udpport.Allocate{NetworkID: c.NetworkID, Range: a.d.Ports}.Decide(pool)
		if errors.Is(err, udpport.ErrExhausted) {
			return refuse(Unavailable, msgExhausted, err)
		}
		if err != nil {
			return err
		}
		p, ok := udpport.Port(pool, c.NetworkID, decided)
		if !ok {
			return fmt.Errorf("allocate a UDP port for %s: none decided", c.NetworkID)
		}
		port = p
		tx.Emit(a.poolRef(), decided...)
		return nil
	}, aggregates.MaxAttempts(allocateAttempts))
	if err != nil {
		return 0, err
	}
	if port == 0 {
		// A duplicate of a stored command (only with a caller's command
		// id, which this one has not) would leave it unset.
		return 0, fmt.Errorf("allocate a UDP port for %s: no port", c.NetworkID)
	}
	return port, nil
}

// allocateAttempts bounds the decisions of one allocation: every node of
// the region allocates on the one pool, and a node that starts takes its
// daemons' reconnections all at once, each new network's allocation
// conflicting with the others' (those that have a port append nothing).
const allocateAttempts = 16

// poolRef is the reference of the region's pool.
func (a *App) poolRef() events.Ref { return events.MustRef(udpport.Type, string(a.d.Region)) }
