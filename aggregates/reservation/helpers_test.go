package reservation_test

import (
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

const (
	alice naming.ID = "11111111-1111-4111-8111-111111111111"
	bob   naming.ID = "22222222-2222-4222-8222-222222222222"
)

type decideCase = aggregatetest.DecideCase[reservation.State]

// given folds a history into a state, as a load does.
func given(history ...events.Payload) reservation.State {
	return aggregatetest.Fold(reservation.Initial(), reservation.Evolve, history...)
}
