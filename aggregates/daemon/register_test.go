package daemon_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRegisterDaemon(t *testing.T) {
	regA := daemon.RegisterDaemon{DaemonID: daemonID, NetworkID: net2, TenantID: tenantA}
	removed := daemon.Removed{DaemonID: daemonID, NetworkID: net1, Reason: daemon.ReasonNetworkDeprovisioned}
	runDecide(t, []decideCase{
		{name: "pending", given: []events.Payload{enrolled(tenantA, t0)}, decide: regA.Decide,
			want: []events.Payload{daemon.Registered{DaemonID: daemonID, TenantID: tenantA, NetworkID: net2}}},
		{name: "pending expired", given: []events.Payload{enrolled(tenantA, t0.Add(-24*time.Hour))}, decide: regA.Decide,
			want: []events.Payload{daemon.Registered{DaemonID: daemonID, TenantID: tenantA, NetworkID: net2}}},
		{name: "registered elsewhere", given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1)}, decide: regA.Decide, err: daemon.ErrAlreadyRegistered},
		{name: "registered here", given: []events.Payload{enrolled(tenantA, t0), registeredIn(net2)}, decide: regA.Decide, err: daemon.ErrAlreadyRegistered},
		{name: "other tenant", given: []events.Payload{enrolled(tenantB, t0)}, decide: regA.Decide, err: daemon.ErrOtherTenant},
		{name: "re-enrolled by other tenant", given: []events.Payload{enrolled(tenantA, t0), enrolled(tenantB, t0)}, decide: regA.Decide, err: daemon.ErrOtherTenant},
		{name: "never enrolled", decide: regA.Decide, err: daemon.ErrNotEnrolled},
		{name: "after removal, same tenant", given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1), removed}, decide: regA.Decide,
			want: []events.Payload{daemon.Registered{DaemonID: daemonID, TenantID: tenantA, NetworkID: net2}}},
		{name: "missing ids", given: []events.Payload{enrolled(tenantA, t0)}, decide: daemon.RegisterDaemon{TenantID: tenantA}.Decide, err: errAny},
	})
}
