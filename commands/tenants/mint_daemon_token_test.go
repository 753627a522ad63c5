package tenants_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// A pending key gets a tenant-scoped token, a registered one a token
// scoped to its network; the first opens the trial when the process
// manager has not yet. A subscription past its grace, or closed, or a
// deregistered tenant, get none.
func TestMintDaemonToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pending := f.enroll(newEmail("pending"))
	claims := f.mint(pending)
	if claims.TenantID != pending.TenantID.String() || claims.Network != "" || claims.Subject != pending.Key.String() {
		t.Errorf("pending key: claims %+v", claims)
	}
	f.wantLog(subscription.Type, pending.TenantID.String(),
		subscription.TrialOpened{Entitlement: plan.Trial, ExpiresAt: f.clock.Now().Add(subscription.TrialPeriod)})

	n, registered := f.register(f.enroll(newEmail("registered")), "registered-home")
	if claims := f.mint(registered); claims.Network != n.ID.String() || !claims.HasAudience(tokens.AudienceDDNS) {
		t.Errorf("registered key: claims %+v", claims)
	}

	closed := f.enroll(newEmail("closed"))
	f.mint(closed)
	f.closeSubscription(closed.TenantID)
	gone := f.enroll(newEmail("gone"))
	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: gone.TenantID}))
	late := f.enroll(newEmail("late"))
	for _, tc := range []struct {
		name string
		key  tenants.Daemon
		kind tenants.Kind
		msg  string
	}{
		{"unknown key", tenants.Daemon{Key: newKey(t)}, tenants.Unauthorized, "daemon key is neither registered nor enrolled"},
		{"closed subscription", closed, tenants.Forbidden, "tenant has no active subscription"},
		{"deregistered tenant", gone, tenants.Forbidden, "tenant is deregistered"},
	} {
		_, err := f.app.MintDaemonToken(ctx, tenants.MintDaemonToken{Key: tc.key.Key})
		wantRefused(t, err, tc.kind, tc.msg)
	}

	// Past its enrollment, a pending key is unknown; past its trial, a
	// registered one is served through the grace period and not after.
	f.clock.Advance(daemon.EnrollmentTTL + time.Second)
	_, err := f.app.MintDaemonToken(ctx, tenants.MintDaemonToken{Key: late.Key})
	wantRefused(t, err, tenants.Unauthorized, "daemon key is neither registered nor enrolled")
	f.clock.Advance(subscription.TrialPeriod + subscription.DefaultGrace - daemon.EnrollmentTTL - time.Minute)
	f.mint(registered)
	f.clock.Advance(time.Minute)
	_, err = f.app.MintDaemonToken(ctx, tenants.MintDaemonToken{Key: registered.Key})
	wantRefused(t, err, tenants.Forbidden, "tenant has no active subscription")
}

// mint mints d's token and returns its verified claims.
func (f *fixture) mint(d tenants.Daemon) tokens.Claims {
	f.t.Helper()
	tok, err := f.app.MintDaemonToken(f.t.Context(), tenants.MintDaemonToken{Key: d.Key})
	must(f.t, err)
	claims, err := f.tokens.Verify(f.t.Context(), tok, f.clock.Now())
	must(f.t, err)
	return claims
}
