package tenants

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
)

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
	cmds *Service
}

var _ projectors.Projection = (*Lifecycle)(nil)

// NewLifecycle returns the lifecycle process manager.
func NewLifecycle(cmds *Service) *Lifecycle { return &Lifecycle{cmds: cmds} }

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
		err = l.cmds.OpenTrial(ctx, rec, tenantID)
	case tenant.Deregistered:
		err = l.cmds.CloseDeregistered(ctx, rec, tenantID)
		if err == nil {
			err = l.cmds.Sweep(ctx, rec, tenantID)
		}
	case tenant.NetworkRemoved:
		err = l.cmds.Sweep(ctx, rec, tenantID)
	case tenant.Swept:
		err = l.cmds.ShredTenant(ctx, tenantID)
	case subscription.Closed:
		if e.Reason != subscription.ReasonDeregistered {
			err = l.cmds.DeprovisionNetworks(ctx, rec, tenantID, network.ReasonSubscription)
		}
	case network.Deprovisioned:
		err = l.cmds.ReleaseNetwork(ctx, rec, networkID)
	}
	if err != nil && KindOf(err) == 0 {
		return fmt.Errorf("%s at %d (%s): %w", Name, rec.Seq, rec.Type, err)
	}
	return nil
}
