package account_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRefresh(t *testing.T) {
	day := 24 * time.Hour
	at := func(d time.Duration) func(account.State) ([]events.Payload, error) {
		return account.Refresh{SessionID: sessionID(1), Now: t0.Add(d)}.Decide
	}
	slid := func(d time.Duration) []events.Payload {
		return []events.Payload{account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0.Add(d + account.SessionTTL)}}
	}
	one := []events.Payload{started(1, t0)}
	refreshedDay2 := append(one[:1:1], account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0.Add(2*day + account.SessionTTL)})
	runDecide(t, []decideCase{
		{name: "same day", given: one, decide: at(time.Hour)},
		{name: "just under a day", given: one, decide: at(day - time.Second)},
		{name: "a day later", given: one, decide: at(day), want: slid(day)},
		{name: "29 days later", given: one, decide: at(29 * day), want: slid(29 * day)},
		{name: "expired", given: one, decide: at(account.SessionTTL), err: account.ErrNoSession},
		{name: "within a day of the last slide", given: refreshedDay2, decide: at(2*day + 23*time.Hour)},
		{name: "a day after the last slide", given: refreshedDay2, decide: at(3 * day), want: slid(3 * day)},
		{name: "past the first expiry, slid", given: refreshedDay2, decide: at(31 * day), want: slid(31 * day)},
		{name: "ended", given: append(one[:1:1], account.SessionEnded{SessionID: sessionID(1)}), decide: at(day), err: account.ErrNoSession},
		{name: "revoked", given: append(one[:1:1], account.SessionsRevoked{Reason: account.ReasonPasswordReset}), decide: at(day), err: account.ErrNoSession},
		{name: "unknown", decide: at(day), err: account.ErrNoSession},
	})
}
