package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// Signing out everywhere ends every session of the account.
func TestRevokeSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	first := f.signup(alice)
	second, err := f.app.Login(ctx, tenants.Login{Email: alice, Password: password, Client: client()})
	must(t, err)
	must(t, f.app.RevokeSessions(ctx, tenants.RevokeSessions{TenantID: first.TenantID}))
	log := f.log(account.Type, first.TenantID.String())
	if log[len(log)-1] != (account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}) {
		t.Errorf("account log ends with %#v", log[len(log)-1])
	}
	for _, s := range []tenants.SessionToken{first, second} {
		_, err := f.app.ExchangeSession(ctx, tenants.ExchangeSession{Session: s})
		wantRefused(t, err, tenants.Unauthorized, "session expired or revoked")
	}
}
