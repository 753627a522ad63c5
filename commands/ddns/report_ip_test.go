package ddns_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
)

func TestReportIP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	n := f.register("home", "local")
	ctx := t.Context()

	for _, ip := range []string{"203.0.114.7", "203.0.114.7", "2a01:4f8::1", "2a01:4f8:0:0::1", "203.0.114.8"} {
		if err := f.cmds.ReportIP(ctx, ddns.ReportIP{Daemon: n.daemon, IP: ip}); err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
	}
	f.wantDNS(n.id, addr("203.0.114.7"), addr("2a01:4f8::1"), addr("203.0.114.8"))
}

// The address decides the refusal's reason; nothing is appended.
func TestReportIPRefusesBadAddresses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	n := f.register("home", "local")
	for _, tc := range []struct{ ip, msg string }{
		{"garbage", "ip must be an IPv4 address (dotted quad) or an IPv6 address"},
		{"fe80::1%eth0", "ip must be an IPv4 address (dotted quad) or an IPv6 address"},
		{"::ffff:203.0.114.7", "ip must be reported as an IPv4 address, not IPv4-mapped IPv6"},
		{"10.0.0.1", "ip must be a public address, not private, loopback, link-local, multicast, documentation, shared (100.64.0.0/10) or reserved"},
		{"100.100.1.1", "ip must be a public address, not private, loopback, link-local, multicast, documentation, shared (100.64.0.0/10) or reserved"},
		{"2002::1", "ip must be a public address, not private, loopback, link-local, multicast, documentation, shared (100.64.0.0/10) or reserved"},
	} {
		wantRefused(t, f.cmds.ReportIP(t.Context(), ddns.ReportIP{Daemon: n.daemon, IP: tc.ip}), ddns.BadRequest, tc.msg)
	}
	f.wantDNS(n.id)
}

// Who may report for which network.
func TestReportIPChecksTheNetwork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	home := f.register("home", "local")
	far := f.register("far", "euc")
	gone := f.register("gone", "local", network.DeprovisioningStarted{Reason: network.ReasonUser})
	ip := "203.0.114.7"

	otherTenant := home.daemon
	otherTenant.TenantID = far.daemon.TenantID
	otherDaemon := home.daemon
	otherDaemon.Key = far.daemon.Key
	unknown := home.daemon
	unknown.NetworkID = ids.New[ids.NetworkID]()

	for _, tc := range []struct {
		name   string
		caller ddns.Daemon
		kind   ddns.Kind
		msg    string
	}{
		{"unknown network", unknown, ddns.Forbidden, "network not found"},
		{"another tenant's network", otherTenant, ddns.Forbidden, "network not found"},
		{"a daemon not bound to it", otherDaemon, ddns.Forbidden, "daemon is not bound to this network"},
		{"another region", far.daemon, ddns.Forbidden, "network is not served by this region"},
		{"deprovisioning", gone.daemon, ddns.Forbidden, "network is being deprovisioned"},
	} {
		wantRefused(t, f.cmds.ReportIP(ctx, ddns.ReportIP{Daemon: tc.caller, IP: ip}), tc.kind, tc.msg)
	}
	for _, n := range []net{home, far, gone} {
		f.wantDNS(n.id)
	}
	// An active network takes reports.
	active := f.register("active", "local", network.Activated{})
	if err := f.cmds.ReportIP(ctx, ddns.ReportIP{Daemon: active.daemon, IP: ip}); err != nil {
		t.Fatal(err)
	}
}
