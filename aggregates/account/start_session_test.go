package account_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestStartSession(t *testing.T) {
	start := func(n int) func(account.State) ([]events.Payload, error) {
		return account.StartSession{SessionID: sessionID(n), TokenHash: tokenHash(n), Now: t0}.Decide
	}
	runDecide(t, []decideCase{
		{name: "first", decide: start(1), want: []events.Payload{started(1, t0)}},
		{name: "another", given: []events.Payload{started(1, t0)}, decide: start(2), want: []events.Payload{started(2, t0)}},
		{name: "after revocation", given: []events.Payload{started(1, t0), account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}},
			decide: start(2), want: []events.Payload{started(2, t0)}},
		{name: "id reused", given: []events.Payload{started(1, t0)}, decide: account.StartSession{SessionID: sessionID(1), TokenHash: tokenHash(2), Now: t0}.Decide, err: errAny},
		{name: "token reused", given: []events.Payload{started(1, t0)}, decide: account.StartSession{SessionID: sessionID(2), TokenHash: tokenHash(1), Now: t0}.Decide, err: errAny},
		{name: "upper-case hash", decide: account.StartSession{SessionID: sessionID(1), TokenHash: strings.ToUpper(tokenHash(1)), Now: t0}.Decide, err: errAny},
		{name: "short hash", decide: account.StartSession{SessionID: sessionID(1), TokenHash: tokenHash(1)[:62], Now: t0}.Decide, err: errAny},
		{name: "no id", decide: account.StartSession{TokenHash: tokenHash(1), Now: t0}.Decide, err: errAny},
		{name: "no time", decide: account.StartSession{SessionID: sessionID(1), TokenHash: tokenHash(1)}.Decide, err: errAny},
	})
}
