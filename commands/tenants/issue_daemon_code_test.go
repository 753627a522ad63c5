package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// An add-daemon code is an enrollment code bound to the tenant, mailed to
// the tenant's own email; a tenant that is gone or deregistered gets none.
func TestIssueDaemonCode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	d := f.enroll(alice)
	echo, err := f.app.IssueDaemonCode(ctx, tenants.IssueDaemonCode{TenantID: d.TenantID})
	must(t, err)
	c := f.lastCode(alice)
	if echo != "" || f.mail.to(alice)[1].purpose != code.PurposeEnrollment {
		t.Errorf("answered %q, mailed %v", echo, f.mail.to(alice))
	}
	f.wantLog(code.Type, c.Hash(), code.Issued{Purpose: code.PurposeEnrollment, Email: f.sealedEmail(c),
		EmailIndex: personal.EmailIndex(f.emailIndex(alice)), TenantID: d.TenantID, ExpiresAt: f.clock.Now().Add(code.TTL)})
	f.mail.echo = true
	if echo, err := f.app.IssueDaemonCode(ctx, tenants.IssueDaemonCode{TenantID: d.TenantID}); err != nil || echo != f.lastCode(alice) {
		t.Errorf("echoed %q (%v), mailed %q", echo, err, f.lastCode(alice))
	}

	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: d.TenantID}))
	_, err = f.app.IssueDaemonCode(ctx, tenants.IssueDaemonCode{TenantID: d.TenantID})
	wantRefused(t, err, tenants.Forbidden, "tenant is deregistered")
	_, err = f.app.IssueDaemonCode(ctx, tenants.IssueDaemonCode{TenantID: ids.New[ids.TenantID]()})
	wantRefused(t, err, tenants.NotFound, "tenant not found")
}
