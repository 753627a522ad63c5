package account_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRevokeAll(t *testing.T) {
	revoke := func(r account.RevokeReason) func(account.State) ([]events.Payload, error) {
		return account.RevokeAll{Reason: r}.Decide
	}
	runDecide(t, []decideCase{
		{name: "sessions", given: []events.Payload{started(1, t0), started(2, t0)}, decide: revoke(account.ReasonSignOutEverywhere),
			want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}}},
		{name: "password reset", given: []events.Payload{started(1, t0)}, decide: revoke(account.ReasonPasswordReset),
			want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonPasswordReset}}},
		{name: "password change", given: []events.Payload{started(1, t0)}, decide: revoke(account.ReasonPasswordChange),
			want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonPasswordChange}}},
		{name: "deregistered", given: []events.Payload{started(1, t0)}, decide: revoke(account.ReasonDeregistered),
			want: []events.Payload{account.SessionsRevoked{Reason: account.ReasonDeregistered}}},
		{name: "none", decide: revoke(account.ReasonDeregistered)},
		{name: "already revoked", given: []events.Payload{started(1, t0), account.SessionsRevoked{Reason: account.ReasonDeregistered}}, decide: revoke(account.ReasonDeregistered)},
		{name: "unknown reason", given: []events.Payload{started(1, t0)}, decide: revoke("bored"), err: errAny},
	})
}
