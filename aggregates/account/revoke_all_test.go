package account_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRevokeAll(t *testing.T) {
	revoke := func(r account.RevokeReason) account.RevokeAll {
		return account.RevokeAll{Reason: r}
	}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "sessions", Given: []events.Payload{started(1, t0), started(2, t0)}, Cmd: revoke(account.ReasonSignOutEverywhere),
			Want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}}},
		{Name: "password reset", Given: []events.Payload{started(1, t0)}, Cmd: revoke(account.ReasonPasswordReset),
			Want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonPasswordReset}}},
		{Name: "password change", Given: []events.Payload{started(1, t0)}, Cmd: revoke(account.ReasonPasswordChange),
			Want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonPasswordChange}}},
		{Name: "deregistered", Given: []events.Payload{started(1, t0)}, Cmd: revoke(account.ReasonDeregistered),
			Want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonDeregistered}}},
		{Name: "none", Cmd: revoke(account.ReasonDeregistered)},
		{Name: "already revoked", Given: []events.Payload{started(1, t0), account.SessionsRevoked{Reason: account.ReasonDeregistered}}, Cmd: revoke(account.ReasonDeregistered)},
		{Name: "unknown reason", Given: []events.Payload{started(1, t0)}, Cmd: revoke("bored"), Err: aggregatetest.ErrAny},
	})
}
