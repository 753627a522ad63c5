package tenants_test

import (
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
)

// Logging out ends the session; a session that is unknown or ended
// already is no error and decides nothing.
func TestLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	session := f.signup(newEmail("alice"))
	id := session.TenantID.String()
	must(t, f.app.Logout(ctx, tenants.Logout{Session: session}))
	started := f.log(account.Type, id)[1].(account.SessionStarted)
	if got := f.log(account.Type, id); len(got) != 3 || got[2] != (account.SessionEnded{SessionID: started.SessionID}) {
		t.Errorf("account log %#v", got)
	}
	end := f.lastSeq()
	unknown := tenants.SessionToken{TenantID: session.TenantID, Token: strings.Repeat("0", 64)}
	for _, s := range []tenants.SessionToken{session, unknown} {
		must(t, f.app.Logout(ctx, tenants.Logout{Session: s}))
	}
	if f.lastSeq() != end {
		t.Error("logging out of no session appended")
	}
}
