package reservation_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRelease(t *testing.T) {
	t.Parallel()
	aggregatetest.RunDecide(t, given, []decideCase{
		{Name: "never claimed", Cmd: release{Owner: alice}},
		{
			Name:  "by its owner",
			Given: []events.Payload{reservation.Claimed{Owner: alice}},
			Cmd:   release{Owner: alice},
			Want:  []events.Payload{reservation.Released{Owner: alice}},
		},
		{Name: "by another", Given: []events.Payload{reservation.Claimed{Owner: alice}}, Cmd: release{Owner: bob}},
		{Name: "released already", Given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}}, Cmd: release{Owner: alice}},
		{
			Name:  "late release after the name changed hands",
			Given: []events.Payload{reservation.Claimed{Owner: alice}, reservation.Released{Owner: alice}, reservation.Claimed{Owner: bob}},
			Cmd:   release{Owner: alice},
		},
	})
}
