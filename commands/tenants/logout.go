package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
)

// Logout asks to end the session of the cookie (POST /v1/auth/logout).
type Logout struct {
	Session SessionToken
}

// Logout ends the session; an unknown or ended session is no error.
func (a *App) Logout(ctx context.Context, cmd Logout) error {
	tenantID := cmd.Session.TenantID
	acct, err := a.repos.accounts.Load(ctx, tenantID.String())
	if err != nil {
		return err
	}
	sess, ok := acct.State.Session(tokenHash(cmd.Session.Token), a.d.Now())
	if !ok {
		return nil
	}
	_, err = a.repos.accounts.Execute(ctx, tenantID.String(), userMeta(tenantID), account.End{SessionID: sess.ID}.Decide)
	return asRefusal(err)
}
