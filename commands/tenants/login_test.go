package tenants_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// The right password starts a session; every other attempt is refused
// alike, and each client may try so often.
func TestLogin(t *testing.T) {
	t.Parallel()
	l := roomy
	l.logins = ratelimit.Limit{Name: "logins", Max: 5, Window: 5 * time.Minute}
	f := newFixtureWith(t, l)
	ctx := t.Context()
	alice := newEmail("alice")
	signedUp := f.signup(alice)
	tok, err := f.app.Login(ctx, tenants.Login{Email: alice, Password: password, Client: client()})
	must(t, err)
	acct := f.log(account.Type, tok.TenantID.String())
	if started, ok := acct[len(acct)-1].(account.SessionStarted); tok.TenantID != signedUp.TenantID || !ok || started.TokenHash != sha(tok.Token) {
		t.Errorf("logged in as %s, account log ends with %#v", tok.TenantID, acct[len(acct)-1])
	}

	enrolled := newEmail("enrolled")
	f.enroll(enrolled)
	ip := netip.MustParseAddr("192.0.2.9")
	for _, tc := range []struct{ name, email, password string }{
		{"wrong password", alice, "wrong horse battery"},
		{"unknown email", newEmail("nobody"), password},
		{"malformed email", "alice", password},
		{"no password set", enrolled, password},
		{"overlong password", alice, string(make([]byte, 1025))},
	} {
		_, err := f.app.Login(ctx, tenants.Login{Email: tc.email, Password: tc.password, Client: ip})
		wantRefused(t, err, tenants.Unauthorized, "invalid email or password")
	}
	_, err = f.app.Login(ctx, tenants.Login{Email: alice, Password: password, Client: ip})
	wantRefused(t, err, tenants.RateLimited, "too many login attempts; try again later")
}
