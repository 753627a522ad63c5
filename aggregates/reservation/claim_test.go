package reservation_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestClaim(t *testing.T) {
	t.Parallel()
	claimed := func(by events.Payload) []events.Payload { return []events.Payload{by} }
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never claimed", Cmd: claim{Owner: alice}, Want: claimed(reservation.Claimed{Owner: alice})},
		{Name: "own claim again", Given: claimed(reservation.Claimed{Owner: alice}), Cmd: claim{Owner: alice}},
		{Name: "held by another", Given: claimed(reservation.Claimed{Owner: alice}), Cmd: claim{Owner: bob}, Err: reservation.ErrTaken},
		{
			Name:  "released by its owner",
			Given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}},
			Cmd:   claim{Owner: bob},
			Want:  claimed(reservation.Claimed{Owner: bob}),
		},
		{
			Name:  "reclaimed by another after release",
			Given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}, reservation.Claimed{Owner: bob}},
			Cmd:   claim{Owner: alice},
			Err:   reservation.ErrTaken,
		},
	})
}
