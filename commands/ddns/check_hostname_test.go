package ddns_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
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
		{"other-lab." + zone, ddns.ErrNoHost},
		{"www.home-lab." + zone, ddns.ErrNoHost},
		{"home." + zone, ddns.ErrNoHost},
		{zone, ddns.ErrNotFQDN},
		{"." + zone, ddns.ErrNotFQDN},
		{"home-lab", ddns.ErrNotFQDN},
		{"home-lab.example.net", ddns.ErrNotFQDN},
		{"home-lab.dyn.example.net.evil.com", ddns.ErrNotFQDN},
		{"home-labdyn.example.net", ddns.ErrNotFQDN},
		{"home_lab." + zone, ddns.ErrNotFQDN},
		{"-home." + zone, ddns.ErrNotFQDN},
		{"home-lab.." + zone, ddns.ErrNotFQDN},
		{"home lab." + zone, ddns.ErrNotFQDN},
		{"", ddns.ErrNotFQDN},
		{".", ddns.ErrNotFQDN},
		{strings.Repeat("a", 64) + "." + zone, ddns.ErrNotFQDN},
		{strings.Repeat("a.", 130) + zone, ddns.ErrNotFQDN},
		{"hôme." + zone, ddns.ErrNotFQDN},
	} {
		if err := f.cmds.CheckHostname(ddns.CheckHostname{Client: c, Hostname: tc.name}); !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%q: %v, want %v", tc.name, err, tc.err)
		}
	}
}
