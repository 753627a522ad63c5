package reservation_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestClaim(t *testing.T) {
	t.Parallel()
	claimed := func(by events.Payload) []events.Payload { return []events.Payload{by} }
	runDecide(t, []decideCase{
		{name: "never claimed", cmd: reservation.Claim{Owner: alice}, want: claimed(reservation.Claimed{Owner: alice})},
		{name: "own claim again", given: claimed(reservation.Claimed{Owner: alice}), cmd: reservation.Claim{Owner: alice}},
		{name: "held by another", given: claimed(reservation.Claimed{Owner: alice}), cmd: reservation.Claim{Owner: bob}, err: reservation.ErrTaken},
		{
			name:  "released by its owner",
			given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}},
			cmd:   reservation.Claim{Owner: bob},
			want:  claimed(reservation.Claimed{Owner: bob}),
		},
		{
			name:  "reclaimed by another after release",
			given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}, reservation.Claimed{Owner: bob}},
			cmd:   reservation.Claim{Owner: alice},
			err:   reservation.ErrTaken,
		},
	})
}
