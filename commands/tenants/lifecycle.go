package tenants

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
)

// The lifecycle commands are what the process managers do (package
// processes): each is caused by an event, named by it, and decided with the
// event's time, so a redelivered event decides nothing new and a replay
// decides the same.

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

// OpenTrial opens the trial subscription of a new, live tenant. A tenant
// that ever had a subscription gets none.
func (s *Service) OpenTrial(ctx context.Context, cause events.Record, tenantID ids.TenantID) error {
	_, err := aggregates.Execute(ctx, s.d.Store, causedBy(cause, "open-trial"), func(ctx context.Context, tx *aggregates.Tx) error {
		t, err := aggregates.Get(ctx, tx, s.repos.tenants, tenantID.String())
		if err != nil || !t.Live() {
			return err
		}
		sub, err := aggregates.Get(ctx, tx, s.repos.subscriptions, tenantID.String())
		if err != nil {
			return err
		}
		opened, err := subscription.OpenTrial{Entitlement: plan.Trial, Now: cause.Time}.Decide(sub)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.subscriptions, tenantID.String()), opened...)
		return nil
	})
	return err
}

// openTrialNow opens the trial of a live tenant that never had a
// subscription, if the process manager has not yet, and returns the
// subscription.
func (s *Service) openTrialNow(ctx context.Context, tenantID ids.TenantID) (aggregates.Loaded[subscription.State], error) {
	meta := events.Meta{TenantID: tenantID.String(), Actor: "process:open-trial"}
	open := subscription.OpenTrial{Entitlement: plan.Trial, Now: s.d.Now()}
	if _, err := s.repos.subscriptions.Execute(ctx, tenantID.String(), meta, open.Decide); err != nil {
		return aggregates.Loaded[subscription.State]{}, err
	}
	return s.repos.subscriptions.Load(ctx, tenantID.String())
}

// CloseDeregistered follows a deregistration: the subscription closes,
// every session ends and every network starts deprovisioning.
func (s *Service) CloseDeregistered(ctx context.Context, cause events.Record, tenantID ids.TenantID) error {
	id := tenantID.String()
	if _, err := s.repos.subscriptions.Execute(ctx, id, causedBy(cause, "close-subscription"),
		subscription.Close{Reason: subscription.ReasonDeregistered}.Decide); err != nil {
		return err
	}
	if _, err := s.repos.accounts.Execute(ctx, id, causedBy(cause, "revoke-sessions"),
		account.RevokeAll{Reason: account.ReasonDeregistered}.Decide); err != nil {
		return err
	}
	return s.DeprovisionNetworks(ctx, cause, tenantID, network.ReasonDeregistered)
}

// DeprovisionNetworks moves every network of the tenant to deprovisioning.
func (s *Service) DeprovisionNetworks(ctx context.Context, cause events.Record, tenantID ids.TenantID, reason network.Reason) error {
	t, err := s.repos.tenants.Load(ctx, tenantID.String())
	if err != nil {
		return err
	}
	for _, id := range t.State.NetworkIDs() {
		if _, err := s.repos.networks.Execute(ctx, id.String(), causedBy(cause, "deprovision:"+id.String()),
			network.Deprovision{Reason: reason}.Decide); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseNetwork follows a network's deprovisioning: its slug is released,
// its daemons removed and it stops counting against its tenant, in one
// append.
func (s *Service) ReleaseNetwork(ctx context.Context, cause events.Record, networkID ids.NetworkID) error {
	_, err := aggregates.Execute(ctx, s.d.Store, causedBy(cause, "release-network"), func(ctx context.Context, tx *aggregates.Tx) error {
		n, err := aggregates.Get(ctx, tx, s.repos.networks, networkID.String())
		if err != nil {
			return err
		}
		if n.Status != network.StatusDeprovisioned {
			return nil
		}
		t, err := aggregates.Get(ctx, tx, s.repos.tenants, n.TenantID.String())
		if err != nil {
			return err
		}
		slug, err := aggregates.Get(ctx, tx, s.repos.slugs, n.Slug.String())
		if err != nil {
			return err
		}
		released, err := reservation.Release[ids.NetworkID]{Owner: networkID}.Decide(slug)
		if err != nil {
			return err
		}
		var tenantEvents []events.Payload
		for id, key := range n.Daemons {
			d, err := aggregates.Get(ctx, tx, s.repos.daemons, key.Fingerprint().String())
			if err != nil {
				return err
			}
			removed, err := daemon.Remove{Reason: daemon.ReasonNetworkDeprovisioned, NetworkID: networkID}.Decide(d)
			if err != nil {
				return err
			}
			uncounted, err := tenant.RemoveDaemon{RegistrationID: id}.Decide(t)
			if err != nil {
				return err
			}
			tx.Emit(ref(s.repos.daemons, key.Fingerprint().String()), removed...)
			tenantEvents = append(tenantEvents, uncounted...)
		}
		removed, err := tenant.RemoveNetwork{NetworkID: networkID}.Decide(t)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.slugs, n.Slug.String()), released...)
		tx.Emit(ref(s.repos.tenants, n.TenantID.String()), append(tenantEvents, removed...)...)
		return nil
	})
	return err
}

// Sweep removes a deregistered tenant whose networks are all gone; for any
// other tenant it does nothing. The tenant's data key is destroyed when the
// process managers see tenant.swept (ShredTenant).
func (s *Service) Sweep(ctx context.Context, cause events.Record, tenantID ids.TenantID) error {
	_, err := s.repos.tenants.Execute(ctx, tenantID.String(), causedBy(cause, "sweep"), func(t tenant.State) ([]events.Payload, error) {
		if !t.Exists() || t.Live() || len(t.Networks) > 0 {
			return nil, nil
		}
		return tenant.Sweep{}.Decide(t)
	})
	return err
}

// ShredTenant destroys a swept tenant's data key: its email and password
// hash in the log can no longer be opened.
func (s *Service) ShredTenant(ctx context.Context, tenantID ids.TenantID) error {
	if err := s.d.Keyring.Destroy(ctx, datakeys.TenantKey(tenantID.String())); err != nil {
		return fmt.Errorf("shred tenant %s: %w", tenantID, err)
	}
	return nil
}

// MarkNetworkActive and MarkNetworkDeprovisioned are what the DNS
// projector decides once a network's records are live, or all gone.
func (s *Service) MarkNetworkActive(ctx context.Context, meta events.Meta, networkID ids.NetworkID) error {
	_, err := s.repos.networks.Execute(ctx, networkID.String(), meta, network.Activate{}.Decide)
	return err
}

// MarkNetworkDeprovisioned: see MarkNetworkActive.
func (s *Service) MarkNetworkDeprovisioned(ctx context.Context, meta events.Meta, networkID ids.NetworkID) error {
	_, err := s.repos.networks.Execute(ctx, networkID.String(), meta, network.MarkDeprovisioned{}.Decide)
	if errors.Is(err, network.ErrWrongState) {
		return refuse(Conflict, "network is not deprovisioning", err)
	}
	return err
}
