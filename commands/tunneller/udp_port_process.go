package tunneller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// UDPPortProcessName is the UDP port process manager's projection name.
const UDPPortProcessName = "tunneller_udp_ports"

// UDPPortProcess is the tunneller service's process manager for its
// region's UDP port pool: a durable consumer of the log whose effect is a
// command. It runs on the projector runtime (package projectors), which
// gives it a checkpoint, one active instance with standby takeover, and
// lag metrics; its only table is that checkpoint. It must not be rebuilt
// from sequence 0.
//
// It releases a network's port when the network goes: on the network's
// deprovisioning (the tunnel closes then, so the port carries nothing
// more) and again on its deprovisioned, and on an allocation in this
// region's pool (so that an allocation that raced the deprovisioning,
// deciding on the network while it was still live, is undone as soon as
// it is in the log). Each is ReleaseUDPPort with
// udpport.ReasonDeprovisioned, which decides nothing while the network is
// live or holds no port, and is named by the event that caused it, so an
// event delivered twice decides nothing new.
type UDPPortProcess struct {
	cmds   Commands
	region string
}

var _ projectors.Projection = (*UDPPortProcess)(nil)

// NewUDPPortProcess returns the process manager of app's region's pool.
func NewUDPPortProcess(app *App) *UDPPortProcess {
	return &UDPPortProcess{cmds: app, region: string(app.Region())}
}

// Name implements projectors.Projection.
func (p *UDPPortProcess) Name() string { return UDPPortProcessName }

// Subjects implements projectors.Projection: every event (those it does
// not act on are skipped), as commands/tenants.Lifecycle does: a consumer
// with several filter subjects costs the server more per delivery than
// one without.
func (p *UDPPortProcess) Subjects() []string { return nil }

// Setup implements projectors.Projection: no tables besides the checkpoint.
func (p *UDPPortProcess) Setup(context.Context, pgx.Tx) error { return nil }

// Apply implements projectors.Projection: it runs the release an event
// calls for. A refusal is part of the process, not a failure; any other
// error is retried by the runtime.
func (p *UDPPortProcess) Apply(ctx context.Context, _ pgx.Tx, rec events.Record) error {
	var id ids.NetworkID
	switch e := rec.Data.(type) {
	case network.DeprovisioningStarted, network.Deprovisioned:
		id = ids.NetworkID(rec.Aggregate.ID())
	case udpport.Allocated:
		if rec.Aggregate.ID() != p.region {
			return nil
		}
		id = e.NetworkID
	default:
		return nil
	}
	err := p.cmds.ReleaseUDPPort(ctx, ReleaseUDPPort{NetworkID: id, Reason: udpport.ReasonDeprovisioned, Cause: rec})
	if err != nil && KindOf(err) == 0 {
		return fmt.Errorf("%s at %d (%s): %w", UDPPortProcessName, rec.Seq, rec.Type, err)
	}
	return nil
}

// causedBy is the metadata of the command that step takes because of
// event cause. The command id is derived from the event id and the step,
// so that a retry after a redelivery is recognised as the same command.
func causedBy(cause events.Record, step string) events.Meta {
	sum := sha256.Sum256([]byte(cause.ID + "\x00" + step))
	return events.Meta{
		CommandID:     "pm-" + hex.EncodeToString(sum[:16]),
		TenantID:      cause.TenantID,
		Actor:         "process:" + step,
		CorrelationID: cause.CorrelationID,
		CausationID:   cause.ID,
	}
}
