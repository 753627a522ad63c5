package tenants

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// The lifecycle commands (OpenTrial, CloseDeregistered,
// DeprovisionNetworks, ReleaseNetwork, Sweep, ShredTenant) are what the
// process manager does: each is caused by an event, named by it, and
// decided with the event's time, so a redelivered event decides nothing
// new and a replay decides the same.

// Name is the lifecycle process manager's projection name.
const Name = "tenant_lifecycle"

// Lifecycle is the tenants service's process manager: a durable consumer
// of the log whose effect is a command (docs/tenants.md, "Process
// managers"). It runs on the projector runtime (package projectors), which
// gives it a checkpoint, one active instance with standby takeover, and lag
// metrics; its only table is that checkpoint. Every command it issues is
// named by the event that caused it (causedBy), so an event delivered
// twice, or applied again after a crash between the command and the
// checkpoint, decides nothing new. It is not a read model: it must not be
// rebuilt from sequence 0 (that would replay decisions long after the
// fact).
//
// Lifecycle drives a tenant from creation to the sweep: the trial on
// creation; on deregistration the subscription's close, the sessions' end
// and the networks' deprovisioning; on a closed subscription the
// networks' deprovisioning; on a deprovisioned network the release of its
// slug and daemons; the sweep once a deregistered tenant has no network;
// and the shredding of a swept tenant's data key.
type Lifecycle struct {
	cmds Commands
}

var _ projectors.Projection = (*Lifecycle)(nil)

// NewLifecycle returns the lifecycle process manager.
func NewLifecycle(cmds Commands) *Lifecycle { return &Lifecycle{cmds: cmds} }

// Name implements projectors.Projection.
func (l *Lifecycle) Name() string { return Name }

// Subjects implements projectors.Projection: every event (those it does not
// act on are skipped). A consumer with several filter subjects costs
// nats-server work per delivery that grows with the number of subjects in
// the stream, one per aggregate (docs/benchmarks.md, DDNS).
func (l *Lifecycle) Subjects() []string { return nil }

// Setup implements projectors.Projection: no tables besides the checkpoint.
func (l *Lifecycle) Setup(context.Context, pgx.Tx) error { return nil }

// Apply implements projectors.Projection: it runs the commands an event
// calls for. A refusal is part of the process (the step is not due), not a
// failure; any other error is retried by the runtime.
func (l *Lifecycle) Apply(ctx context.Context, _ pgx.Tx, rec events.Record) error {
	// The aggregate id is the id the event's command decided on: a
	// tenant's for the tenant and subscription aggregates, a network's for
	// the network aggregate.
	tenantID, networkID := ids.TenantID(rec.Aggregate.ID()), ids.NetworkID(rec.Aggregate.ID())
	var err error
	switch e := rec.Data.(type) {
	case tenant.Created:
		err = l.cmds.OpenTrial(ctx, OpenTrial{Cause: rec, TenantID: tenantID})
	case tenant.Deregistered:
		err = l.cmds.CloseDeregistered(ctx, CloseDeregistered{Cause: rec, TenantID: tenantID})
		if err == nil {
			err = l.cmds.Sweep(ctx, Sweep{Cause: rec, TenantID: tenantID})
		}
	case tenant.NetworkRemoved:
		err = l.cmds.Sweep(ctx, Sweep{Cause: rec, TenantID: tenantID})
	case tenant.Swept:
		err = l.cmds.ShredTenant(ctx, ShredTenant{TenantID: tenantID})
	case subscription.Closed:
		if e.Reason != subscription.ReasonDeregistered {
			err = l.cmds.DeprovisionNetworks(ctx, DeprovisionNetworks{Cause: rec, TenantID: tenantID, Reason: network.ReasonSubscription})
		}
	case network.Deprovisioned:
		err = l.cmds.ReleaseNetwork(ctx, ReleaseNetwork{Cause: rec, NetworkID: networkID})
	}
	if err != nil && KindOf(err) == 0 {
		return fmt.Errorf("%s at %d (%s): %w", Name, rec.Seq, rec.Type, err)
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
