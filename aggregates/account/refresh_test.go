package account_test

import (
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestRefresh(t *testing.T) {
	day := 24 * time.Hour
	at := func(d time.Duration) account.Refresh {
		return account.Refresh{SessionID: sessionID(1), Now: t0.Add(d)}
	}
	slid := func(d time.Duration) []events.Payload {
		return []events.Payload{account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0.Add(d + account.SessionTTL)}}
	}
	one := []events.Payload{started(1, t0)}
	refreshedDay2 := append(one[:1:1], account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0.Add(2*day + account.SessionTTL)})
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "same day", Given: one, Cmd: at(time.Hour)},
		{Name: "just under a day", Given: one, Cmd: at(day - time.Second)},
		{Name: "a day later", Given: one, Cmd: at(day), Want: slid(day)},
		{Name: "29 days later", Given: one, Cmd: at(29 * day), Want: slid(29 * day)},
		{Name: "expired", Given: one, Cmd: at(account.SessionTTL), Err: account.ErrNoSession},
		{Name: "within a day of the last slide", Given: refreshedDay2, Cmd: at(2*day + 23*time.Hour)},
		{Name: "a day after the last slide", Given: refreshedDay2, Cmd: at(3 * day), Want: slid(3 * day)},
		{Name: "past the first expiry, slid", Given: refreshedDay2, Cmd: at(31 * day), Want: slid(31 * day)},
		{Name: "ended", Given: append(one[:1:1], account.SessionEnded{SessionID: sessionID(1)}), Cmd: at(day), Err: account.ErrNoSession},
		{Name: "revoked", Given: append(one[:1:1], account.SessionsRevoked{Reason: account.ReasonPasswordReset}), Cmd: at(day), Err: account.ErrNoSession},
		{Name: "unknown", Cmd: at(day), Err: account.ErrNoSession},
	})
}
