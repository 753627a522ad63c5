package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// A deregistration closes the subscription, ends every session and starts
// deprovisioning every network, each once.
func TestCloseDeregistered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	alice := newEmail("alice")
	session := f.signup(alice)
	n, _ := f.register(f.enroll(alice), "alices-lab")
	must(t, f.app.Deregister(ctx, tenants.Deregister{TenantID: session.TenantID}))
	id := session.TenantID.String()
	cause := f.cause(tenant.Type, id, tenant.Deregistered{})
	for range 2 {
		must(t, f.app.CloseDeregistered(ctx, tenants.CloseDeregistered{Cause: cause, TenantID: session.TenantID}))
	}
	last := func(typ, id string) any { l := f.log(typ, id); return l[len(l)-1] }
	if got := last(subscription.Type, id); got != (subscription.Closed{Reason: subscription.ReasonDeregistered}) {
		t.Errorf("subscription log ends with %#v", got)
	}
	if got := last(account.Type, id); got != (account.SessionsRevoked{Reason: account.ReasonDeregistered}) {
		t.Errorf("account log ends with %#v", got)
	}
	f.wantLog(network.Type, n.ID.String(), f.log(network.Type, n.ID.String())[0],
		network.DeprovisioningStarted{Reason: network.ReasonDeregistered})
	if recs := f.records(subscription.Type, id); recs[len(recs)-1].CausationID != cause.ID {
		t.Errorf("caused by %q, want %q", recs[len(recs)-1].CausationID, cause.ID)
	}
}
