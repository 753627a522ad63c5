package reservation_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRelease(t *testing.T) {
	t.Parallel()
	runDecide(t, []decideCase{
		{name: "never claimed", cmd: reservation.Release{Owner: alice}},
		{
			name:  "by its owner",
			given: []events.Payload{reservation.Claimed{Owner: alice}},
			cmd:   reservation.Release{Owner: alice},
			want:  []events.Payload{reservation.Released{Owner: alice}},
		},
		{name: "by another", given: []events.Payload{reservation.Claimed{Owner: alice}}, cmd: reservation.Release{Owner: bob}},
		{name: "released already", given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}}, cmd: reservation.Release{Owner: alice}},
		{
			name:  "late release after the name changed hands",
			given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}, reservation.Claimed{Owner: bob}},
			cmd:   reservation.Release{Owner: alice},
		},
	})
}
