package daemon_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRegisterDaemon(t *testing.T) {
	regA := daemon.RegisterDaemon{RegistrationID: registration, NetworkID: net2, TenantID: tenantA}
	removed := daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonNetworkDeprovisioned}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "pending", Given: []events.Payload{enrolled(tenantA, t0)}, Cmd: regA,
			Want: []events.Payload{daemon.Registered{RegistrationID: registration, TenantID: tenantA, NetworkID: net2}}},
		{Name: "pending expired", Given: []events.Payload{enrolled(tenantA, t0.Add(-24*time.Hour))}, Cmd: regA,
			Want: []events.Payload{daemon.Registered{RegistrationID: registration, TenantID: tenantA, NetworkID: net2}}},
		{Name: "registered elsewhere", Given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1)}, Cmd: regA, Err: daemon.ErrAlreadyRegistered},
		{Name: "registered here", Given: []events.Payload{enrolled(tenantA, t0), registeredIn(net2)}, Cmd: regA, Err: daemon.ErrAlreadyRegistered},
		{Name: "other tenant", Given: []events.Payload{enrolled(tenantB, t0)}, Cmd: regA, Err: daemon.ErrOtherTenant},
		{Name: "re-enrolled by other tenant", Given: []events.Payload{enrolled(tenantA, t0), enrolled(tenantB, t0)}, Cmd: regA, Err: daemon.ErrOtherTenant},
		{Name: "never enrolled", Cmd: regA, Err: daemon.ErrNotEnrolled},
		{Name: "after removal, same tenant", Given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1), removed}, Cmd: regA,
			Want: []events.Payload{daemon.Registered{RegistrationID: registration, TenantID: tenantA, NetworkID: net2}}},
		{Name: "missing ids", Given: []events.Payload{enrolled(tenantA, t0)}, Cmd: daemon.RegisterDaemon{TenantID: tenantA}, Err: aggregatetest.ErrAny},
	})
}
