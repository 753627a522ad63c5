package commands_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/services/ddns/commands"
)

func TestCheckHostname(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	n := f.register("home-lab", "local")
	c := f.client(f.issue(n, network.CredentialUpdate), network.CredentialUpdate)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"home-lab." + zone, nil},
		{"HOME-Lab.Dyn.Example.NET", nil},
		{"home-lab." + zone + ".", nil},
		{"other-lab." + zone, commands.ErrNoHost},
		{"www.home-lab." + zone, commands.ErrNoHost},
		{"home." + zone, commands.ErrNoHost},
		{zone, commands.ErrNotFQDN},
		{"." + zone, commands.ErrNotFQDN},
		{"home-lab", commands.ErrNotFQDN},
		{"home-lab.example.net", commands.ErrNotFQDN},
		{"home-lab.dyn.example.net.evil.com", commands.ErrNotFQDN},
		{"home-labdyn.example.net", commands.ErrNotFQDN},
		{"home_lab." + zone, commands.ErrNotFQDN},
		{"-home." + zone, commands.ErrNotFQDN},
		{"home-lab.." + zone, commands.ErrNotFQDN},
		{"home lab." + zone, commands.ErrNotFQDN},
		{"", commands.ErrNotFQDN},
		{".", commands.ErrNotFQDN},
		{strings.Repeat("a", 64) + "." + zone, commands.ErrNotFQDN},
		{strings.Repeat("a.", 130) + zone, commands.ErrNotFQDN},
		{"hôme." + zone, commands.ErrNotFQDN},
	} {
		if err := f.cmds.CheckHostname(c, tc.name); !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%q: %v, want %v", tc.name, err, tc.err)
		}
	}
}
