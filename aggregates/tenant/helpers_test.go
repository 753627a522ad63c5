package tenant_test

import (
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/plan"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
)

const (
	tenantID ids.TenantID       = "6f1c2a34-0d5e-4b7a-9c1d-2e3f4a5b6c7d"
	net1     ids.NetworkID      = "11111111-1111-4111-8111-111111111111"
	net2     ids.NetworkID      = "22222222-2222-4222-8222-222222222222"
	daemon1  ids.RegistrationID = "33333333-3333-4333-8333-333333333333"
	daemon2  ids.RegistrationID = "44444444-4444-4444-8444-444444444444"
	sealed                      = personal.Sealed("v1:sealed-email")
)

var (
	trial = plan.Trial
	two   = plan.Entitlement{MaxNetworks: 2, MaxDaemons: 2}
	// created is the history of a fresh live tenant.
	created = []events.Payload{tenant.Created{TenantID: tenantID, Email: sealed}}
)

type decideCase = aggregatetest.DecideCase[tenant.State]

// given folds a history into a state, as a load does.
func given(history ...events.Payload) tenant.State {
	return aggregatetest.Fold(tenant.Initial(), tenant.Evolve, history...)
}

func with(history []events.Payload, more ...events.Payload) []events.Payload {
	return append(append([]events.Payload(nil), history...), more...)
}
