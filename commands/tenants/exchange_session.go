package tenants

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// ExchangeSession asks for a user token for the session of the cookie
// (POST /v1/auth/token).
type ExchangeSession struct {
	Session SessionToken
}

// ExchangeSession mints a short-lived user token for a live session of a
// live tenant, and slides the session (at most once a day). It returns the
// signed token.
func (a *App) ExchangeSession(ctx context.Context, cmd ExchangeSession) (string, error) {
	now := a.d.Now()
	tenantID := cmd.Session.TenantID
	acct, err := a.repos.accounts.Load(ctx, tenantID.String())
	if err != nil {
		return "", err
	}
	sess, ok := acct.State.Session(tokenHash(cmd.Session.Token), now)
	if !ok {
		return "", refuse(Unauthorized, msgSessionInvalid, account.ErrNoSession)
	}
	t, err := a.repos.tenants.Load(ctx, tenantID.String())
	if err != nil {
		return "", err
	}
	if !t.State.Live() {
		return "", refuse(Unauthorized, msgAccountClosed, tenant.ErrClosed)
	}
	refresh := account.Refresh{SessionID: sess.ID, Now: now}
	if _, err := a.repos.accounts.Execute(ctx, tenantID.String(), userMeta(tenantID), refresh.Decide); err != nil {
		if errors.Is(err, account.ErrNoSession) { // ended since it was loaded
			return "", refuse(Unauthorized, msgSessionInvalid, err)
		}
		return "", err
	}
	token, err := a.d.Signer.Sign(tokens.UserClaims(tenantID.String(), now, a.d.UserTokenTTL))
	if err != nil {
		return "", fmt.Errorf("mint user token: %w", err)
	}
	return token, nil
}
