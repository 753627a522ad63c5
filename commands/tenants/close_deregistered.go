package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/events"
)

// CloseDeregistered asks to wind down what tenant TenantID still holds,
// because of Cause (its tenant.deregistered).
type CloseDeregistered struct {
	Cause    events.Record
	TenantID ids.TenantID
}

// CloseDeregistered closes the subscription (reason deregistered), ends
// every session and starts deprovisioning every network (reason
// deregistered), each a command of its own named by the cause.
func (a *App) CloseDeregistered(ctx context.Context, cmd CloseDeregistered) error {
	id := cmd.TenantID.String()
	if _, err := a.repos.subscriptions.Execute(ctx, id, causedBy(cmd.Cause, "close-subscription"),
		subscription.Close{Reason: subscription.ReasonDeregistered}.Decide); err != nil {
		return err
	}
	if _, err := a.repos.accounts.Execute(ctx, id, causedBy(cmd.Cause, "revoke-sessions"),
		account.RevokeAll{Reason: account.ReasonDeregistered}.Decide); err != nil {
		return err
	}
	return a.DeprovisionNetworks(ctx, DeprovisionNetworks{Cause: cmd.Cause, TenantID: cmd.TenantID, Reason: network.ReasonDeregistered})
}
