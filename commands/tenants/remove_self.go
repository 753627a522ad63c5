package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
)

// RemoveSelf asks to unbind the calling daemon from network NetworkID on
// its teardown (DELETE /v1/networks/{id}/daemons/self). The gateway passes
// the zero id for an {id} that is not an id.
type RemoveSelf struct {
	Caller    Daemon
	NetworkID ids.NetworkID
}

// RemoveSelf removes the daemon from its network and from its tenant's
// count, in one append. The caller's token must be scoped to that network
// (403 otherwise); removing a daemon that is already gone is no error.
func (a *App) RemoveSelf(ctx context.Context, cmd RemoveSelf) error {
	if cmd.Caller.NetworkID == "" || cmd.Caller.NetworkID != cmd.NetworkID {
		return refuse(Forbidden, msgNeedNetwork, nil)
	}
	fp := cmd.Caller.Key.Fingerprint().String()
	_, err := aggregates.Execute(ctx, a.d.Store, cmd.Caller.meta(), func(ctx context.Context, tx *aggregates.Tx) error {
		d, err := aggregates.Get(ctx, tx, a.repos.daemons, fp)
		if err != nil {
			return err
		}
		if !d.Registered() || d.NetworkID != cmd.NetworkID {
			return nil
		}
		return a.removeDaemon(ctx, tx, d, daemon.ReasonSelf)
	})
	return asRefusal(err)
}

// removeDaemon decides the removal of a registered daemon from its
// network and its tenant's count.
func (a *App) removeDaemon(ctx context.Context, tx *aggregates.Tx, d daemon.State, reason daemon.Reason) error {
	n, err := aggregates.Get(ctx, tx, a.repos.networks, d.NetworkID.String())
	if err != nil {
		return err
	}
	t, err := aggregates.Get(ctx, tx, a.repos.tenants, d.TenantID.String())
	if err != nil {
		return err
	}
	removed, err := daemon.Remove{Reason: reason, NetworkID: d.NetworkID}.Decide(d)
	if err != nil {
		return err
	}
	unbound, err := network.UnbindDaemon{RegistrationID: d.RegistrationID}.Decide(n)
	if err != nil {
		return err
	}
	uncounted, err := tenant.RemoveDaemon{RegistrationID: d.RegistrationID}.Decide(t)
	if err != nil {
		return err
	}
	tx.Emit(ref(a.repos.daemons, d.Key.Fingerprint().String()), removed...)
	tx.Emit(ref(a.repos.networks, d.NetworkID.String()), unbound...)
	tx.Emit(ref(a.repos.tenants, d.TenantID.String()), uncounted...)
	return nil
}
