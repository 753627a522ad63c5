package tenants_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// A live session of a live tenant buys a user token and slides, at most
// once a day; an unknown, ended or expired session buys none, nor does the
// session of a deregistered tenant.
func TestExchangeSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	session := f.signup(alice)
	tok, err := f.app.ExchangeSession(ctx, tenants.ExchangeSession{Session: session})
	must(t, err)
	claims, err := f.tokens.Verify(ctx, tok, f.clock.Now())
	must(t, err)
	if claims.TenantID != session.TenantID.String() || claims.Principal != tokens.PrincipalUser {
		t.Errorf("claims %+v", claims)
	}
	id := session.TenantID.String()
	started := f.log(account.Type, id)[1].(account.SessionStarted)
	f.wantLog(account.Type, id, f.log(account.Type, id)[:2]...) // no slide within the first day
	f.clock.Advance(account.RefreshInterval)
	_, err = f.app.ExchangeSession(ctx, tenants.ExchangeSession{Session: session})
	must(t, err)
	if got := f.log(account.Type, id); len(got) != 3 || got[2] != (account.SessionRefreshed{SessionID: started.SessionID, ExpiresAt: f.clock.Now().Add(account.SessionTTL)}) {
		t.Errorf("account log %#v", got)
	}

	ended, err := f.app.Login(ctx, tenants.Login{Email: alice, Password: password, Client: client()})
	must(t, err)
	must(t, f.app.Logout(ctx, tenants.Logout{Session: ended}))
	unknown := tenants.SessionToken{TenantID: session.TenantID, Token: strings.Repeat("0", 64)}
	for _, s := range []tenants.SessionToken{ended, unknown} {
		_, err := f.app.ExchangeSession(ctx, tenants.ExchangeSession{Session: s})
		wantRefused(t, err, tenants.Unauthorized, "session expired or revoked")
	}
	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: session.TenantID}))
	_, err = f.app.ExchangeSession(ctx, tenants.ExchangeSession{Session: session})
	wantRefused(t, err, tenants.Unauthorized, "account is closed")
	f.clock.Advance(account.SessionTTL)
	_, err = f.app.ExchangeSession(ctx, tenants.ExchangeSession{Session: session})
	wantRefused(t, err, tenants.Unauthorized, "session expired or revoked")
}
