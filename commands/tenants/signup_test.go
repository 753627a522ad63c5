package tenants_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// Signing up with a code for a new email creates the tenant with its
// password and a session, in one append; for the email of a tenant without
// a password it adds the password to that tenant. The password hash is
// sealed under the tenant's key.
func TestSignup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	c := f.code(alice, code.PurposeSignup)
	tok, err := f.app.Signup(ctx, tenants.Signup{Email: alice, Code: string(c), Password: password, Client: client()})
	must(t, err)
	acct := f.log(account.Type, tok.TenantID.String())
	set, started := acct[0].(account.PasswordSet), acct[1].(account.SessionStarted)
	if len(acct) != 2 || set.EmailIndex != personal.EmailIndex(f.emailIndex(alice)) || started.TokenHash != sha(tok.Token) ||
		!started.ExpiresAt.Equal(f.clock.Now().Add(account.SessionTTL)) {
		t.Errorf("account log %#v", acct)
	}
	phc, err := f.keys.Open(ctx, string(set.Hash))
	must(t, err)
	if ok, err := f.hasher.Verify(ctx, string(phc), password); !ok || err != nil {
		t.Errorf("the sealed hash does not verify the password (%v)", err)
	}
	f.wantLog(reservation.EmailType, f.emailIndex(alice), reservation.Claimed{Owner: tok.TenantID.String()})
	f.wantOneAppend(f.records(code.Type, c.Hash())[1], f.records(tenant.Type, tok.TenantID.String())[0],
		f.records(reservation.EmailType, f.emailIndex(alice))[0], f.records(account.Type, tok.TenantID.String())[0])

	bob := newEmail("bob")
	d := f.enroll(bob)
	if tok := f.signup(bob); tok.TenantID != d.TenantID {
		t.Errorf("signed up as %s, want the enrolled tenant %s", tok.TenantID, d.TenantID)
	}
}

// Refusals come before the password is hashed: bad input, then any code
// that is not a usable signup code for this email, then an account that
// has a password already.
func TestSignupRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice, bob, carol := newEmail("alice"), newEmail("bob"), newEmail("carol")
	f.signup(alice)
	again := f.code(alice, code.PurposeSignup)
	forBob := f.code(bob, code.PurposeSignup)
	enrollment := f.code(carol, code.PurposeEnrollment)
	short := passwords.Check("short")
	hashed := f.hasher.Computed()
	for _, tc := range []struct {
		name, email, code, password string
		kind                        tenants.Kind
		msg                         string
	}{
		{"malformed email", "carol", string(enrollment), password, tenants.BadRequest, "invalid email"},
		{"short password", carol, string(enrollment), "short", tenants.BadRequest, short.Error()},
		{"no code", carol, "", password, tenants.Unauthorized, "invalid or expired code"},
		{"code of another email", carol, string(forBob), password, tenants.Unauthorized, "invalid or expired code"},
		{"enrollment code", carol, string(enrollment), password, tenants.Unauthorized, "invalid or expired code"},
		{"password exists", alice, string(again), password, tenants.Conflict, "an account with a password already exists for this email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.app.Signup(ctx, tenants.Signup{Email: tc.email, Code: tc.code, Password: tc.password, Client: client()})
			wantRefused(t, err, tc.kind, tc.msg)
		})
	}
	if f.hasher.Computed() != hashed {
		t.Errorf("%d passwords hashed for refused sign-ups", f.hasher.Computed()-hashed)
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
