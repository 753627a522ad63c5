package account_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEnd(t *testing.T) {
	end1 := account.End{SessionID: sessionID(1)}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "live", Given: []events.Payload{started(1, t0), started(2, t0)}, Cmd: end1,
			Want: []events.Payload{account.SessionEnded{SessionID: sessionID(1)}}},
		{Name: "already ended", Given: []events.Payload{started(1, t0), account.SessionEnded{SessionID: sessionID(1)}}, Cmd: end1},
		{Name: "revoked", Given: []events.Payload{started(1, t0), account.SessionsRevoked{Reason: account.ReasonDeregistered}}, Cmd: end1},
		{Name: "unknown", Given: []events.Payload{started(2, t0)}, Cmd: end1},
	})
}
