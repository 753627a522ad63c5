package udpport_test

import (
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/events"
)

// Networks that take ports: untyped, so that the same constant is a
// NetworkID in a command and in an event.
const (
	alice = "11111111-1111-4111-8111-111111111111"
	bob   = "22222222-2222-4222-8222-222222222222"
	carol = "33333333-3333-4333-8333-333333333333"
	dave  = "44444444-4444-4444-8444-444444444444"
)

// small is a pool of three ports, so that the tables can fill it.
var small = udpport.Range{First: 51820, Last: 51822}

type decideCase = aggregatetest.DecideCase[udpport.State]

// given folds a history into a state, as a load does.
func given(history ...events.Payload) udpport.State {
	return aggregatetest.Fold(udpport.Initial(), udpport.Evolve, history...)
}

func allocated(id ids.NetworkID, port uint16) udpport.Allocated {
	return udpport.Allocated{NetworkID: id, Port: port}
}

func released(id ids.NetworkID, port uint16, reason udpport.Reason) udpport.Released {
	return udpport.Released{NetworkID: id, Port: port, Reason: reason}
}

func decided(evs ...events.Payload) []events.Payload { return evs }
