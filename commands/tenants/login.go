package tenants

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// Login asks for a session for Email and Password
// (POST /v1/auth/password/login), both as submitted.
type Login struct {
	Email    string
	Password string
	// Client is the address the per-client throttle counts.
	Client netip.Addr
}

// Login starts a session for an email and password. Attempts are throttled
// per client across replicas, counting every attempt. Unknown emails,
// accounts without a password and wrong passwords are refused alike, after
// the same work. It returns the new session.
func (a *App) Login(ctx context.Context, cmd Login) (SessionToken, error) {
	ok, retry, err := a.d.LoginLimit.Allow(ctx, ratelimit.ClientKey(cmd.Client))
	if err != nil {
		return SessionToken{}, fmt.Errorf("login: rate limit: %w", err)
	}
	if !ok {
		return SessionToken{}, &Error{Kind: RateLimited, Message: msgTooManyLogins, RetryAfter: retry}
	}
	tenantID, err := a.checkPassword(ctx, cmd.Email, cmd.Password)
	if err != nil {
		return SessionToken{}, err
	}
	t, err := a.repos.tenants.Load(ctx, tenantID.String())
	if err != nil {
		return SessionToken{}, err
	}
	if !t.State.Live() {
		return SessionToken{}, refuse(Unauthorized, msgAccountClosed, tenant.ErrClosed)
	}
	sessionID, token := ids.New[ids.SessionID](), newSessionToken()
	start := account.StartSession{SessionID: sessionID, TokenHash: tokenHash(token), Now: a.d.Now()}
	if _, err := a.repos.accounts.Execute(ctx, tenantID.String(), userMeta(tenantID), start.Decide); err != nil {
		return SessionToken{}, asRefusal(err)
	}
	return SessionToken{TenantID: tenantID, Token: token}, nil
}

// checkPassword returns the tenant whose account has this email and
// password. Every failure is the same refusal after the same work: a
// malformed email, an email without an account or without a password
// verify the password against a dummy hash.
func (a *App) checkPassword(ctx context.Context, emailIn, password string) (ids.TenantID, error) {
	bad := refuse(Unauthorized, msgBadCredentials, nil)
	email, err := personal.ParseEmail(emailIn)
	var acct aggregates.Loaded[account.State]
	var owner ids.TenantID
	if err == nil && len(password) <= passwords.MaxLen {
		res, err := a.repos.emails.Load(ctx, string(a.emailIndex(email)))
		if err != nil {
			return "", err
		}
		if res.State.Held() {
			owner = res.State.Owner
			if acct, err = a.repos.accounts.Load(ctx, owner.String()); err != nil {
				return "", err
			}
		}
	}
	if !acct.State.HasPassword() {
		if err := a.d.Passwords.VerifyDummy(ctx, password); err != nil {
			return "", asRefusal(err)
		}
		return "", bad
	}
	phc, err := a.d.Keyring.Open(ctx, string(acct.State.PasswordHash()))
	if err != nil {
		return "", fmt.Errorf("login: open password hash: %w", err)
	}
	match, err := a.d.Passwords.Verify(ctx, string(phc), password)
	if err != nil {
		return "", asRefusal(fmt.Errorf("login: %w", err))
	}
	if !match {
		return "", bad
	}
	return owner, nil
}
