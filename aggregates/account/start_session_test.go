package account_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestStartSession(t *testing.T) {
	start := func(n int) account.StartSession {
		return account.StartSession{SessionID: sessionID(n), TokenHash: tokenHash(n), Now: t0}
	}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "first", Cmd: start(1), Want: []events.Payload{started(1, t0)}},
		{Name: "another", Given: []events.Payload{started(1, t0)}, Cmd: start(2), Want: []events.Payload{started(2, t0)}},
		{Name: "after revocation", Given: []events.Payload{started(1, t0), account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}},
			Cmd: start(2), Want: []events.Payload{started(2, t0)}},
		{Name: "id reused", Given: []events.Payload{started(1, t0)}, Cmd: account.StartSession{SessionID: sessionID(1), TokenHash: tokenHash(2), Now: t0}, Err: aggregatetest.ErrAny},
		{Name: "token reused", Given: []events.Payload{started(1, t0)}, Cmd: account.StartSession{SessionID: sessionID(2), TokenHash: tokenHash(1), Now: t0}, Err: aggregatetest.ErrAny},
		{Name: "upper-case hash", Cmd: account.StartSession{SessionID: sessionID(1), TokenHash: strings.ToUpper(tokenHash(1)), Now: t0}, Err: aggregatetest.ErrAny},
		{Name: "short hash", Cmd: account.StartSession{SessionID: sessionID(1), TokenHash: tokenHash(1)[:62], Now: t0}, Err: aggregatetest.ErrAny},
		{Name: "no id", Cmd: account.StartSession{TokenHash: tokenHash(1), Now: t0}, Err: aggregatetest.ErrAny},
		{Name: "no time", Cmd: account.StartSession{SessionID: sessionID(1), TokenHash: tokenHash(1)}, Err: aggregatetest.ErrAny},
	})
}
