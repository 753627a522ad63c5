package account_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEnd(t *testing.T) {
	end1 := account.End{SessionID: sessionID(1)}.Decide
	runDecide(t, []decideCase{
		{name: "live", given: []events.Payload{started(1, t0), started(2, t0)}, decide: end1,
			want: []events.Payload{account.SessionEnded{SessionID: sessionID(1)}}},
		{name: "already ended", given: []events.Payload{started(1, t0), account.SessionEnded{SessionID: sessionID(1)}}, decide: end1},
		{name: "revoked", given: []events.Payload{started(1, t0), account.SessionsRevoked{Reason: account.ReasonDeregistered}}, decide: end1},
		{name: "unknown", given: []events.Payload{started(2, t0)}, decide: end1},
	})
}
