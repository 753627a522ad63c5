package daemon_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEnroll(t *testing.T) {
	later := t0.Add(time.Hour)
	enrollA := daemon.Enroll{TenantID: tenantA, Key: key, Now: later}
	removed := daemon.Removed{RegistrationID: registration, NetworkID: net1, Reason: daemon.ReasonSelf}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "new key", Cmd: enrollA, Want: []events.Payload{enrolled(tenantA, later)}},
		{Name: "again refreshes", Given: []events.Payload{enrolled(tenantA, t0)}, Cmd: enrollA, Want: []events.Payload{enrolled(tenantA, later)}},
		{Name: "again after expiry", Given: []events.Payload{enrolled(tenantA, t0.Add(-time.Hour))}, Cmd: enrollA, Want: []events.Payload{enrolled(tenantA, later)}},
		{Name: "another tenant while pending", Given: []events.Payload{enrolled(tenantB, t0)}, Cmd: enrollA, Want: []events.Payload{enrolled(tenantA, later)}},
		{Name: "registered", Given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1)}, Cmd: enrollA, Err: daemon.ErrAlreadyRegistered},
		{Name: "after removal", Given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1), removed}, Cmd: enrollA, Want: []events.Payload{enrolled(tenantA, later)}},
		{Name: "key of another aggregate", Given: []events.Payload{enrolled(tenantA, t0)}, Cmd: daemon.Enroll{TenantID: tenantA, Key: otherKey, Now: later}, Err: aggregatetest.ErrAny},
		{Name: "no tenant", Cmd: daemon.Enroll{Key: key, Now: later}, Err: aggregatetest.ErrAny},
		{Name: "no key", Cmd: daemon.Enroll{TenantID: tenantA, Now: later}, Err: aggregatetest.ErrAny},
		{Name: "no time", Cmd: daemon.Enroll{TenantID: tenantA, Key: key}, Err: aggregatetest.ErrAny},
	})
}
