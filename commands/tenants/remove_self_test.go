package tenants_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// A daemon with a token scoped to its network leaves it, and its tenant's
// count, in one append; leaving again decides nothing. Any other token is
// refused.
func TestRemoveSelf(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, d := f.register(f.enroll(newEmail("alice")), "alices-lab")
	other, _ := f.register(f.enroll(newEmail("bob")), "bobs-lab")
	pending := d
	pending.NetworkID = ""
	elsewhere := d
	elsewhere.NetworkID = other.ID
	for _, tc := range []struct {
		name   string
		caller tenants.Daemon
		id     ids.NetworkID
	}{
		{"tenant-scoped token", pending, n.ID},
		{"token of another network", elsewhere, n.ID},
		{"another network", d, other.ID},
		{"no network", d, ""},
	} {
		err := f.app.RemoveSelf(ctx, tenants.RemoveSelf{Caller: tc.caller, NetworkID: tc.id})
		wantRefused(t, err, tenants.Forbidden, "a network-scoped token for this network is required")
	}

	must(t, f.app.RemoveSelf(ctx, tenants.RemoveSelf{Caller: d, NetworkID: n.ID}))
	fp := d.Key.Fingerprint().String()
	removed := f.records(daemon.Type, fp)[2]
	if removed.Data != (daemon.Removed{RegistrationID: n.DaemonID, NetworkID: n.ID, Reason: daemon.ReasonSelf}) {
		t.Errorf("daemon log ends with %#v", removed.Data)
	}
	unbound, uncounted := f.records(network.Type, n.ID.String())[1], f.records(tenant.Type, d.TenantID.String())[3]
	if unbound.Data != (network.DaemonUnbound{RegistrationID: n.DaemonID}) || uncounted.Data != (tenant.DaemonRemoved{RegistrationID: n.DaemonID}) {
		t.Errorf("network and tenant logs end with %#v, %#v", unbound.Data, uncounted.Data)
	}
	f.wantOneAppend(removed, unbound, uncounted)

	end := f.lastSeq()
	must(t, f.app.RemoveSelf(ctx, tenants.RemoveSelf{Caller: d, NetworkID: n.ID}))
	if f.lastSeq() != end {
		t.Error("removing a removed daemon appended")
	}
}
