package tenants_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// Enrolling with a code for a new email creates the tenant, reserves the
// email and binds the key pending, in one append; a code for the email of
// a tenant, or bound to one, enrolls for that tenant.
func TestEnroll(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	c, key := f.code(alice, code.PurposeEnrollment), newKey(t)
	tenantID, err := f.app.Enroll(ctx, tenants.Enroll{Code: string(c), PublicKey: key.String(), Client: client()})
	must(t, err)
	f.wantLog(code.Type, c.Hash(), f.log(code.Type, c.Hash())[0], code.Used{})
	created := f.log(tenant.Type, tenantID.String())
	if len(created) != 1 || created[0].(tenant.Created).TenantID != tenantID {
		t.Fatalf("tenant log %v", created)
	}
	if email, err := f.keys.Open(ctx, string(created[0].(tenant.Created).Email)); err != nil || string(email) != alice {
		t.Errorf("the tenant's email opens to %q (%v)", email, err)
	}
	f.wantLog(reservation.EmailType, f.emailIndex(alice), reservation.Claimed{Owner: tenantID.String()})
	f.wantLog(daemon.Type, key.Fingerprint().String(),
		daemon.Enrolled{TenantID: tenantID, PublicKey: key, ExpiresAt: f.clock.Now().Add(daemon.EnrollmentTTL)})
	f.wantOneAppend(f.records(code.Type, c.Hash())[1], f.records(tenant.Type, tenantID.String())[0],
		f.records(reservation.EmailType, f.emailIndex(alice))[0], f.records(daemon.Type, key.Fingerprint().String())[0])

	// The same email again, and a code bound to the tenant: its tenant.
	again := f.enroll(alice)
	bound, err := f.app.IssueDaemonCode(ctx, tenants.IssueDaemonCode{TenantID: tenantID})
	must(t, err)
	if bound == "" {
		bound = f.lastCode(alice)
	}
	byCode, err := f.app.Enroll(ctx, tenants.Enroll{Code: string(bound), PublicKey: newKey(t).String(), Client: client()})
	must(t, err)
	if again.TenantID != tenantID || byCode != tenantID {
		t.Errorf("enrolled for %s and %s, want %s", again.TenantID, byCode, tenantID)
	}
}

// Every code that is not a usable enrollment code is refused alike; a
// malformed key is a bad request; a registered key is taken.
func TestEnrollRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	used := f.code(newEmail("used"), code.PurposeEnrollment)
	_, err := f.app.Enroll(ctx, tenants.Enroll{Code: string(used), PublicKey: newKey(t).String(), Client: client()})
	must(t, err)
	expired := f.code(newEmail("late"), code.PurposeEnrollment)
	signup := f.code(newEmail("web"), code.PurposeSignup)
	gone := f.enroll(newEmail("gone"))
	goneCode, err := f.app.IssueDaemonCode(ctx, tenants.IssueDaemonCode{TenantID: gone.TenantID})
	must(t, err)
	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: gone.TenantID}))
	owner := f.enroll(newEmail("owner"))
	_, registered := f.register(owner, "owners-home")
	f.clock.Advance(code.TTL - time.Second)
	fresh := f.code(newEmail("fresh"), code.PurposeEnrollment)
	f.clock.Advance(2 * time.Second) // expired is now past its TTL

	if goneCode == "" {
		goneCode = f.lastCode(f.emailOf(gone.TenantID))
	}
	for _, tc := range []struct {
		name, code, key string
		kind            tenants.Kind
		msg             string
	}{
		{"malformed key", string(fresh), "not a key", tenants.BadRequest, "invalid public key"},
		{"no code", "", newKey(t).String(), tenants.Unauthorized, "invalid or expired code"},
		{"unknown code", "ABCDEF", newKey(t).String(), tenants.Unauthorized, "invalid or expired code"},
		{"used code", string(used), newKey(t).String(), tenants.Unauthorized, "invalid or expired code"},
		{"expired code", string(expired), newKey(t).String(), tenants.Unauthorized, "invalid or expired code"},
		{"signup code", string(signup), newKey(t).String(), tenants.Unauthorized, "invalid or expired code"},
		{"code of a deregistered tenant", string(goneCode), newKey(t).String(), tenants.Unauthorized, "invalid or expired code"},
		{"registered key", string(fresh), registered.Key.String(), tenants.Conflict, "daemon is already registered to a network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.app.Enroll(ctx, tenants.Enroll{Code: tc.code, PublicKey: tc.key, Client: client()})
			wantRefused(t, err, tc.kind, tc.msg)
		})
	}
	if _, err := f.app.Enroll(ctx, tenants.Enroll{Code: string(fresh), PublicKey: newKey(t).String(), Client: client()}); err != nil {
		t.Errorf("a code refused for its key alone stays usable: %v", err)
	}
}

// emailOf is the email of a tenant, opened from its creation.
func (f *fixture) emailOf(tenantID ids.TenantID) string {
	f.t.Helper()
	created := f.log(tenant.Type, tenantID.String())[0].(tenant.Created)
	email, err := f.keys.Open(f.t.Context(), string(created.Email))
	must(f.t, err)
	return string(email)
}
