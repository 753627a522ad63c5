package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// A reset sets the new password and ends every session, with the code's
// use, in one append; a code for an email without an account is used up
// and answered alike.
func TestResetPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	session := f.signup(alice)
	c := f.code(alice, code.PurposePasswordReset)
	const newPassword = "staple battery horse"
	must(t, f.app.ResetPassword(ctx, tenants.ResetPassword{Code: string(c), Password: newPassword, Client: client()}))
	recs := f.records(account.Type, session.TenantID.String())
	set, revoked := recs[2], recs[3]
	if revoked.Data != (account.SessionsRevoked{Reason: account.ReasonPasswordReset}) {
		t.Errorf("account log ends with %#v", revoked.Data)
	}
	f.wantOneAppend(f.records(code.Type, c.Hash())[1], set, revoked)
	phc, err := f.keys.Open(ctx, string(set.Data.(account.PasswordSet).Hash))
	must(t, err)
	if ok, err := f.hasher.Verify(ctx, string(phc), newPassword); !ok || err != nil {
		t.Errorf("the new hash does not verify the new password (%v)", err)
	}
	_, err = f.app.ExchangeSession(ctx, tenants.ExchangeSession{Session: session})
	wantRefused(t, err, tenants.Unauthorized, "session expired or revoked")

	nobody := f.code(newEmail("nobody"), code.PurposePasswordReset)
	must(t, f.app.ResetPassword(ctx, tenants.ResetPassword{Code: string(nobody), Password: newPassword, Client: client()}))
	if log := f.log(code.Type, nobody.Hash()); len(log) != 2 || log[1] != (code.Used{}) {
		t.Errorf("the code of an email without an account: %v", log)
	}

	signup := f.code(alice, code.PurposeSignup)
	short := passwords.Check("short")
	for _, tc := range []struct {
		name, code, password string
		kind                 tenants.Kind
		msg                  string
	}{
		{"short password", string(signup), "short", tenants.BadRequest, short.Error()},
		{"no code", "", newPassword, tenants.Unauthorized, "invalid or expired code"},
		{"used code", string(c), newPassword, tenants.Unauthorized, "invalid or expired code"},
		{"signup code", string(signup), newPassword, tenants.Unauthorized, "invalid or expired code"},
	} {
		err := f.app.ResetPassword(ctx, tenants.ResetPassword{Code: tc.code, Password: tc.password, Client: client()})
		wantRefused(t, err, tc.kind, tc.msg)
	}
}
