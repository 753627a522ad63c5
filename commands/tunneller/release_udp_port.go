package tunneller

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

// ReleaseUDPPort gives the port of network NetworkID back to the region's
// pool, for Reason.
type ReleaseUDPPort struct {
	NetworkID ids.NetworkID
	Reason    udpport.Reason
	// Cause is the event that calls for the release, when the process
	// manager runs it: the command is named by it (so a redelivery decides
	// nothing new) and caused by it in the log. The zero Record for an
	// operator's release.
	Cause events.Record
}

// ReleaseUDPPort frees the network's port (udpport.Release). With
// udpport.ReasonDeprovisioned it frees it only when the network is no
// longer live (deprovisioning, deprovisioned, or unknown), so that a
// release caused by anything but the network's end decides nothing; with
// udpport.ReasonOperator it frees it regardless. A network without a port
// decides nothing. Any other reason is BadRequest.
func (a *App) ReleaseUDPPort(ctx context.Context, c ReleaseUDPPort) error {
	if !c.Reason.Valid() {
		return refuse(BadRequest, msgBadReason, nil)
	}
	meta := events.Meta{Actor: "tunneller"}
	if c.Cause.ID != "" {
		meta = causedBy(c.Cause, "release-udp-port")
	}
	_, err := aggregates.Execute(ctx, a.d.Store, meta, func(ctx context.Context, tx *aggregates.Tx) error {
		if c.Reason == udpport.ReasonDeprovisioned {
			n, err := aggregates.Get(ctx, tx, a.networks, c.NetworkID.String())
			if err != nil || n.Live() {
				return err
			}
		}
		pool, err := aggregates.Get(ctx, tx, a.pools, string(a.d.Region))
		if err != nil {
			return err
		}
		decided, err := udpport.Release{NetworkID: c.NetworkID, Reason: c.Reason}.Decide(pool)
		if err != nil {
			return err
		}
		tx.Emit(a.poolRef(), decided...)
		return nil
	})
	return err
}
