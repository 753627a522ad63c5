package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
)

// RevokeSessions asks to end every session of the tenant: sign out
// everywhere (DELETE /v1/me/sessions).
type RevokeSessions struct {
	TenantID ids.TenantID
}

// RevokeSessions ends every session of the tenant's account, the caller's
// included.
func (a *App) RevokeSessions(ctx context.Context, cmd RevokeSessions) error {
	revoke := account.RevokeAll{Reason: account.ReasonSignOutEverywhere}
	_, err := a.repos.accounts.Execute(ctx, cmd.TenantID.String(), userMeta(cmd.TenantID), revoke.Decide)
	return asRefusal(err)
}
