package reservation_test

import (
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/events"
)

// alice and bob own names: untyped, so that the same constant is a
// TenantID in a command and a string in an event.
const (
	alice = "11111111-1111-4111-8111-111111111111"
	bob   = "22222222-2222-4222-8222-222222222222"
)

// The rules are the same in both namespaces; the tables run them in the
// email namespace, whose owners are tenants.
type (
	state      = reservation.State[ids.TenantID]
	claim      = reservation.Claim[ids.TenantID]
	release    = reservation.Release[ids.TenantID]
	decideCase = aggregatetest.DecideCase[state]
)

// given folds a history into a state, as a load does.
func given(history ...events.Payload) state {
	return aggregatetest.Fold(reservation.Initial[ids.TenantID](), reservation.Evolve[ids.TenantID], history...)
}
