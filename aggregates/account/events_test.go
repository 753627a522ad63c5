package account_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestEventsCatalog(t *testing.T) {
	c := events.NewCatalog()
	account.Register(c)
	sid := string(sessionID(1))
	cases := []struct {
		event events.Payload
		name  string
		json  string
	}{
		{account.PasswordSet{EmailIndex: index, Hash: hash1}, "wardnet.account.password_set",
			`{"email_index":"` + string(index) + `","hash":"` + string(hash1) + `"}`},
		{started(1, t0), "wardnet.account.session_started",
			`{"session_id":"` + sid + `","token_hash":"` + tokenHash(1) + `","expires_at":"2026-03-31T12:00:00Z"}`},
		{account.SessionRefreshed{SessionID: sessionID(1), ExpiresAt: t0}, "wardnet.account.session_refreshed",
			`{"session_id":"` + sid + `","expires_at":"2026-03-01T12:00:00Z"}`},
		{account.SessionEnded{SessionID: sessionID(1)}, "wardnet.account.session_ended", `{"session_id":"` + sid + `"}`},
		{account.SessionsRevoked{Reason: account.ReasonSignOutEverywhere}, "wardnet.account.sessions_revoked", `{"reason":"sign_out_everywhere"}`},
	}
	if got := len(c.Types()); got != len(cases) {
		t.Fatalf("catalogue holds %d types, test covers %d", got, len(cases))
	}
	for _, tc := range cases {
		name, version, data, err := c.Encode(tc.event)
		if err != nil {
			t.Fatal(err)
		}
		if name != tc.name || version != 1 {
			t.Errorf("%T encodes as %s v%d", tc.event, name, version)
		}
		var x, y any
		if err := json.Unmarshal(data, &x); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.json), &y); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s payload %s, want %s", name, data, tc.json)
		}
		back, err := c.Decode(name, version, data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, tc.event) {
			t.Errorf("%s round trip: %#v, want %#v", name, back, tc.event)
		}
	}
}
