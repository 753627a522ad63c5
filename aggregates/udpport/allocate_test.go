package udpport_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestAllocate(t *testing.T) {
	t.Parallel()
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "empty pool: the first port", Cmd: udpport.Allocate{NetworkID: alice, Range: small}, Want: decided(allocated(alice, 51820))},
		{
			Name:  "the lowest free port",
			Given: decided(allocated(alice, 51820), allocated(bob, 51821)),
			Cmd:   udpport.Allocate{NetworkID: carol, Range: small},
			Want:  decided(allocated(carol, 51822)),
		},
		{
			Name:  "a released port is the lowest free again",
			Given: decided(allocated(alice, 51820), allocated(bob, 51821), released(alice, 51820, udpport.ReasonDeprovisioned)),
			Cmd:   udpport.Allocate{NetworkID: carol, Range: small},
			Want:  decided(allocated(carol, 51820)),
		},
		{
			Name:  "a network keeps its port: nothing decided",
			Given: decided(allocated(alice, 51820), allocated(bob, 51821)),
			Cmd:   udpport.Allocate{NetworkID: bob, Range: small},
		},
		{
			Name:  "a network keeps its port even when the pool is full",
			Given: decided(allocated(alice, 51820), allocated(bob, 51821), allocated(carol, 51822)),
			Cmd:   udpport.Allocate{NetworkID: carol, Range: small},
		},
		{
			Name:  "pool exhausted",
			Given: decided(allocated(alice, 51820), allocated(bob, 51821), allocated(carol, 51822)),
			Cmd:   udpport.Allocate{NetworkID: dave, Range: small},
			Err:   udpport.ErrExhausted,
		},
		{
			Name:  "a port outside a narrowed and full range is kept",
			Given: decided(allocated(alice, 51820), allocated(bob, 51821), allocated(carol, 51822)),
			Cmd:   udpport.Allocate{NetworkID: carol, Range: udpport.Range{First: 51820, Last: 51821}},
		},
		{
			Name:  "a port outside the range is given up for a free one",
			Given: decided(allocated(alice, 51822)),
			Cmd:   udpport.Allocate{NetworkID: alice, Range: udpport.Range{First: 51820, Last: 51821}},
			Want:  decided(released(alice, 51822, udpport.ReasonOutOfRange), allocated(alice, 51820)),
		},
		{Name: "a reversed range", Cmd: udpport.Allocate{NetworkID: alice, Range: udpport.Range{First: 2, Last: 1}}, Err: udpport.ErrInvalidRange},
		{Name: "port 0", Cmd: udpport.Allocate{NetworkID: alice, Range: udpport.Range{First: 0, Last: 10}}, Err: udpport.ErrInvalidRange},
		{Name: "no network", Cmd: udpport.Allocate{Range: small}, Err: aggregatetest.ErrAny},
		{
			Name: "the last port of the whole port space",
			Cmd:  udpport.Allocate{NetworkID: alice, Range: udpport.Range{First: 65535, Last: 65535}},
			Want: decided(allocated(alice, 65535)),
		},
	})
}

// Port is what a caller of Allocate answers: the port held once the
// decision is applied, without changing the state decided on.
func TestPort(t *testing.T) {
	t.Parallel()
	s := given(allocated(alice, 51822))
	for _, tc := range []struct {
		decided []events.Payload
		want    uint16
	}{
		{nil, 51822},
		{decided(released(alice, 51822, udpport.ReasonOutOfRange), allocated(alice, 51820)), 51820},
	} {
		if p, ok := udpport.Port(s, alice, tc.decided); !ok || p != tc.want {
			t.Errorf("port after %v: %d, %v; want %d", tc.decided, p, ok, tc.want)
		}
	}
	if p, _ := s.PortOf(alice); p != 51822 {
		t.Errorf("Port changed the state: %d", p)
	}
	if _, ok := udpport.Port(s, bob, nil); ok {
		t.Error("bob holds a port he never got")
	}
}
