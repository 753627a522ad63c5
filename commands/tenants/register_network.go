package tenants

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

// MaxDisplayName bounds a network's display name, in bytes.
const MaxDisplayName = 255

// RegisterNetwork asks for a network named Slug in Region, bound to the
// calling daemon (POST /v1/networks). Slug, DisplayName and Region are as
// submitted; DisplayName nil is none.
type RegisterNetwork struct {
	Caller      Daemon
	Slug        string
	DisplayName *string
	Region      string
}

// RegisteredNetwork is what RegisterNetwork decided: the network as the
// log now holds it, so that an answer need not wait for a read model.
type RegisteredNetwork struct {
	ID          ids.NetworkID
	TenantID    ids.TenantID
	Slug        naming.Slug
	DisplayName string // trimmed; "" for none
	Region      naming.Region
	Status      network.Status     // network.StatusProvisioning
	DaemonID    ids.RegistrationID // the calling daemon's id in the network
	Registered  time.Time          // when it was decided
	// Seq is the sequence a read model must have passed to show it.
	Seq events.StreamSeq
}

// RegisterNetwork registers the network and binds the calling daemon to
// it, in one atomic append with the slug's claim and the tenant's counts.
// The tenant must be live with a current subscription (its trial opened
// first if due). Fifty concurrent registrations of one slug all expect the
// slug to be new: one append wins, the others retry, see the claim and are
// refused (409).
func (a *App) RegisterNetwork(ctx context.Context, cmd RegisterNetwork) (RegisteredNetwork, error) {
	n, err := a.parseNetwork(cmd)
	if err != nil {
		return RegisteredNetwork{}, err
	}
	if _, _, err := a.openTrialIfDue(ctx, n.TenantID); err != nil {
		return RegisteredNetwork{}, err
	}
	res, err := aggregates.Execute(ctx, a.d.Store, cmd.Caller.meta(), func(ctx context.Context, tx *aggregates.Tx) error {
		return a.register(ctx, tx, n, cmd.Caller.Key)
	})
	if err != nil {
		return RegisteredNetwork{}, asRefusal(err)
	}
	n.Seq = res.Last
	return n, nil
}

// register decides network n in tx: the slug's claim, the network with
// the daemon of key, the daemon's binding and the tenant's counts, for a
// live tenant with a current subscription.
func (a *App) register(ctx context.Context, tx *aggregates.Tx, n RegisteredNetwork, key ids.DaemonKey) error {
	fp := key.Fingerprint().String()
	t, err := aggregates.Get(ctx, tx, a.repos.tenants, n.TenantID.String())
	if err != nil {
		return err
	}
	sub, err := aggregates.Get(ctx, tx, a.repos.subscriptions, n.TenantID.String())
	if err != nil {
		return err
	}
	if err := entitled(t, sub, subscription.State.Current); err != nil {
		return err
	}
	d, err := aggregates.Get(ctx, tx, a.repos.daemons, fp)
	if err != nil {
		return err
	}
	slug, err := aggregates.Get(ctx, tx, a.repos.slugs, n.Slug.String())
	if err != nil {
		return err
	}
	netw, err := aggregates.Get(ctx, tx, a.repos.networks, n.ID.String())
	if err != nil {
		return err
	}
	claimed, err := reservation.Claim[ids.NetworkID]{Owner: n.ID}.Decide(slug)
	if err != nil {
		return err
	}
	registered, err := network.RegisterNetwork{TenantID: n.TenantID, Slug: n.Slug, DisplayName: n.DisplayName,
		Region: n.Region, RegistrationID: n.DaemonID, DaemonKey: key}.Decide(netw)
	if err != nil {
		return err
	}
	bound, err := daemon.RegisterDaemon{RegistrationID: n.DaemonID, NetworkID: n.ID, TenantID: n.TenantID}.Decide(d)
	if err != nil {
		return err
	}
	addedNetwork, err := tenant.AddNetwork{NetworkID: n.ID, Entitlement: sub.Entitlement()}.Decide(t)
	if err != nil {
		return err
	}
	addedDaemon, err := tenant.AddDaemon{RegistrationID: n.DaemonID, Entitlement: sub.Entitlement()}.Decide(t)
	if err != nil {
		return err
	}
	tx.Emit(ref(a.repos.networks, n.ID.String()), registered...)
	tx.Emit(ref(a.repos.slugs, n.Slug.String()), claimed...)
	tx.Emit(ref(a.repos.daemons, fp), bound...)
	tx.Emit(ref(a.repos.tenants, n.TenantID.String()), append(addedNetwork, addedDaemon...)...)
	return nil
}

// parseNetwork parses the command's inputs into the network it would
// register now, under new ids: each malformed input is a 400 with the
// contract's message.
func (a *App) parseNetwork(cmd RegisterNetwork) (RegisteredNetwork, error) {
	slug, err := naming.ParseSlug(cmd.Slug)
	if err != nil {
		return RegisteredNetwork{}, refuse(BadRequest, err.Error(), err)
	}
	region, err := a.d.Regions.Parse(cmd.Region)
	if err != nil {
		return RegisteredNetwork{}, refuse(BadRequest, err.Error(), err)
	}
	var name string
	if cmd.DisplayName != nil {
		name = strings.TrimSpace(*cmd.DisplayName)
		if len(name) > MaxDisplayName || !utf8.ValidString(name) {
			return RegisteredNetwork{}, refuse(BadRequest, fmt.Sprintf("display_name must be valid UTF-8 of at most %d bytes", MaxDisplayName), nil)
		}
	}
	return RegisteredNetwork{
		ID: ids.New[ids.NetworkID](), TenantID: cmd.Caller.TenantID, Slug: slug, DisplayName: name, Region: region,
		Status: network.StatusProvisioning, DaemonID: ids.New[ids.RegistrationID](), Registered: a.d.Now(),
	}, nil
}
