package account_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
)

func TestEventsCatalog(t *testing.T) {
	sid := string(sessionID(1))
	aggregatetest.CheckCatalog(t, account.Register, []aggregatetest.EventCase{
		{Event: account.PasswordSet{EmailIndex: index, Hash: hash1}, Type: "wardnet.account.password_set",
			JSON: `{"email_index":"` + string(index) + `","hash":"` + string(hash1) + `"}`},
		{Event: started(1, t0), Type: "wardnet.account.session_started",
			JSON: `{"session_id":"` + sid + `","token_hash":"` + tokenHash(1) + `","expires_at":"2026-03-31T12:00:00Z"}`},
		{Event: account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0}, Type: "wardnet.account.session_refreshed",
			JSON: `{"session_id":"` + sid + `","expires_at":"2026-03-01T12:00:00Z"}`},
		{Event: account.SessionEnded{SessionID: sessionID(1)}, Type: "wardnet.account.session_ended", JSON: `{"session_id":"` + sid + `"}`},
		{Event: account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}, Type: "wardnet.account.sessions_revoked", JSON: `{"reason":"sign_out_everywhere"}`},
	})
}
