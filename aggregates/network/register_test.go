package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRegisterNetwork(t *testing.T) {
	cmd := network.RegisterNetwork{
		TenantID: tenant, Slug: "home-lab", DisplayName: "Home lab", Region: "local",
		RegistrationID: daemon1, DaemonKey: key1,
	}
	without := func(f func(*network.RegisterNetwork)) network.RegisterNetwork {
		c := cmd
		f(&c)
		return c
	}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "new", Cmd: cmd, Want: []events.Payload{registered}},
		{Name: "exists", Given: []events.Payload{registered}, Cmd: cmd, Err: network.ErrExists},
		{Name: "exists after deprovisioned", Given: []events.Payload{registered, network.DeprovisioningStarted{Reason: network.ReasonUser}, network.Deprovisioned{}},
			Cmd: cmd, Err: network.ErrExists},
		{Name: "no tenant", Cmd: without(func(c *network.RegisterNetwork) { c.TenantID = "" }), Err: aggregatetest.ErrAny},
		{Name: "no slug", Cmd: without(func(c *network.RegisterNetwork) { c.Slug = "" }), Err: aggregatetest.ErrAny},
		{Name: "no region", Cmd: without(func(c *network.RegisterNetwork) { c.Region = "" }), Err: aggregatetest.ErrAny},
		{Name: "no daemon id", Cmd: without(func(c *network.RegisterNetwork) { c.RegistrationID = "" }), Err: aggregatetest.ErrAny},
		{Name: "no daemon key", Cmd: without(func(c *network.RegisterNetwork) { c.DaemonKey = ids.DaemonKey{} }), Err: aggregatetest.ErrAny},
		{Name: "display name is optional", Cmd: without(func(c *network.RegisterNetwork) { c.DisplayName = "" }),
			Want: []events.Payload{network.Registered{TenantID: tenant, Slug: "home-lab", Region: "local", RegistrationID: daemon1, DaemonKey: key1}}},
	})
}
