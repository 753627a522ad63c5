package network_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRegisterNetwork(t *testing.T) {
	cmd := network.RegisterNetwork{
		TenantID: tenant, Slug: "home-lab", DisplayName: "Home lab", Region: "local",
		DaemonID: daemon1, DaemonKey: key1,
	}
	without := func(f func(*network.RegisterNetwork)) func(network.State) ([]events.Payload, error) {
		c := cmd
		f(&c)
		return c.Decide
	}
	runDecide(t, []decideCase{
		{name: "new", decide: cmd.Decide, want: []events.Payload{registered}},
		{name: "exists", given: []events.Payload{registered}, decide: cmd.Decide, err: network.ErrExists},
		{name: "exists after deprovisioned", given: []events.Payload{registered, network.DeprovisioningStarted{Reason: network.ReasonUser}, network.Deprovisioned{}},
			decide: cmd.Decide, err: network.ErrExists},
		{name: "no tenant", decide: without(func(c *network.RegisterNetwork) { c.TenantID = "" }), err: errAny},
		{name: "no slug", decide: without(func(c *network.RegisterNetwork) { c.Slug = "" }), err: errAny},
		{name: "no region", decide: without(func(c *network.RegisterNetwork) { c.Region = "" }), err: errAny},
		{name: "no daemon id", decide: without(func(c *network.RegisterNetwork) { c.DaemonID = "" }), err: errAny},
		{name: "no daemon key", decide: without(func(c *network.RegisterNetwork) { c.DaemonKey = naming.DaemonKey{} }), err: errAny},
		{name: "display name is optional", decide: without(func(c *network.RegisterNetwork) { c.DisplayName = "" }),
			want: []events.Payload{network.Registered{TenantID: tenant, Slug: "home-lab", Region: "local", DaemonID: daemon1, DaemonKey: key1}}},
	})
}
