package daemon_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEnroll(t *testing.T) {
	later := t0.Add(time.Hour)
	enrollA := daemon.Enroll{TenantID: tenantA, Key: key, Now: later}.Decide
	removed := daemon.Removed{DaemonID: daemonID, NetworkID: net1, Reason: daemon.ReasonSelf}
	runDecide(t, []decideCase{
		{name: "new key", decide: enrollA, want: []events.Payload{enrolled(tenantA, later)}},
		{name: "again refreshes", given: []events.Payload{enrolled(tenantA, t0)}, decide: enrollA, want: []events.Payload{enrolled(tenantA, later)}},
		{name: "again after expiry", given: []events.Payload{enrolled(tenantA, t0.Add(-time.Hour))}, decide: enrollA, want: []events.Payload{enrolled(tenantA, later)}},
		{name: "another tenant while pending", given: []events.Payload{enrolled(tenantB, t0)}, decide: enrollA, want: []events.Payload{enrolled(tenantA, later)}},
		{name: "registered", given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1)}, decide: enrollA, err: daemon.ErrAlreadyRegistered},
		{name: "after removal", given: []events.Payload{enrolled(tenantA, t0), registeredIn(net1), removed}, decide: enrollA, want: []events.Payload{enrolled(tenantA, later)}},
		{name: "key of another aggregate", given: []events.Payload{enrolled(tenantA, t0)}, decide: daemon.Enroll{TenantID: tenantA, Key: otherKey, Now: later}.Decide, err: errAny},
		{name: "no tenant", decide: daemon.Enroll{Key: key, Now: later}.Decide, err: errAny},
		{name: "no key", decide: daemon.Enroll{TenantID: tenantA, Now: later}.Decide, err: errAny},
		{name: "no time", decide: daemon.Enroll{TenantID: tenantA, Key: key}.Decide, err: errAny},
	})
}
