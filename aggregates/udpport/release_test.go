package udpport_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
)

func TestRelease(t *testing.T) {
	t.Parallel()
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never allocated", Cmd: udpport.Release{NetworkID: alice, Reason: udpport.ReasonDeprovisioned}},
		{
			Name:  "the holder's port",
			Given: decided(allocated(alice, 51820), allocated(bob, 51821)),
			Cmd:   udpport.Release{NetworkID: bob, Reason: udpport.ReasonDeprovisioned},
			Want:  decided(released(bob, 51821, udpport.ReasonDeprovisioned)),
		},
		{
			Name:  "by an operator",
			Given: decided(allocated(alice, 51820)),
			Cmd:   udpport.Release{NetworkID: alice, Reason: udpport.ReasonOperator},
			Want:  decided(released(alice, 51820, udpport.ReasonOperator)),
		},
		{
			Name:  "released already",
			Given: decided(allocated(alice, 51820), released(alice, 51820, udpport.ReasonDeprovisioned)),
			Cmd:   udpport.Release{NetworkID: alice, Reason: udpport.ReasonDeprovisioned},
		},
		{
			Name:  "out_of_range is Allocate's",
			Given: decided(allocated(alice, 51820)),
			Cmd:   udpport.Release{NetworkID: alice, Reason: udpport.ReasonOutOfRange},
			Err:   aggregatetest.ErrAny,
		},
		{Name: "no reason", Given: decided(allocated(alice, 51820)), Cmd: udpport.Release{NetworkID: alice}, Err: aggregatetest.ErrAny},
	})
}
