package account_test

import (
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/events"
)

func TestSetPassword(t *testing.T) {
	set1 := account.PasswordSet{EmailIndex: index, Hash: hash1}
	set2 := []events.Payload{account.PasswordSet{EmailIndex: index, Hash: hash2}}
	cmd := func(m account.Mode) func(account.State) ([]events.Payload, error) {
		return account.SetPassword{Mode: m, EmailIndex: index, Hash: hash2}.Decide
	}
	runDecide(t, []decideCase{
		{name: "signup, none", decide: cmd(account.ModeSignup), want: set2},
		{name: "signup, exists", given: []events.Payload{set1}, decide: cmd(account.ModeSignup), err: account.ErrPasswordExists},
		{name: "reset replaces", given: []events.Payload{set1}, decide: cmd(account.ModeReset), want: set2},
		{name: "change replaces", given: []events.Payload{set1}, decide: cmd(account.ModeChange), want: set2},
		{name: "reset, none", decide: cmd(account.ModeReset), want: set2},
		{name: "unknown mode", decide: cmd("login"), err: errAny},
		{name: "no hash", decide: account.SetPassword{Mode: account.ModeSignup, EmailIndex: index}.Decide, err: errAny},
		{name: "no email index", decide: account.SetPassword{Mode: account.ModeSignup, Hash: hash1}.Decide, err: errAny},
	})
}
