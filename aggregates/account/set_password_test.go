package account_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/aggregatetest"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestSetPassword(t *testing.T) {
	set1 := account.PasswordSet{EmailIndex: index, Hash: hash1}
	set2 := []events.Payload{account.PasswordSet{EmailIndex: index, Hash: hash2}}
	cmd := func(m account.Mode) account.SetPassword {
		return account.SetPassword{Mode: m, EmailIndex: index, Hash: hash2}
	}
	aggregatetest.RunDecide(t, fold, []decideCase{
		{Name: "signup, none", Cmd: cmd(account.ModeSignup), Want: set2},
		{Name: "signup, exists", Given: []events.Payload{set1}, Cmd: cmd(account.ModeSignup), Err: account.ErrPasswordExists},
		{Name: "reset replaces", Given: []events.Payload{set1}, Cmd: cmd(account.ModeReset), Want: set2},
		{Name: "change replaces", Given: []events.Payload{set1}, Cmd: cmd(account.ModeChange), Want: set2},
		{Name: "reset, none", Cmd: cmd(account.ModeReset), Want: set2},
		{Name: "unknown mode", Cmd: cmd("login"), Err: aggregatetest.ErrAny},
		{Name: "no hash", Cmd: account.SetPassword{Mode: account.ModeSignup, EmailIndex: index}, Err: aggregatetest.ErrAny},
		{Name: "no email index", Cmd: account.SetPassword{Mode: account.ModeSignup, Hash: hash1}, Err: aggregatetest.ErrAny},
	})
}
