package main

import (
	"strings"
	"testing"
)

// The tunnel command's usage errors, and an identity it cannot use, are
// reported before anything is dialed.
func TestTunnelUsage(t *testing.T) {
	dir := t.TempDir()
	// Unroutable services: any request would fail differently.
	setEnv(t, map[string]string{"HOME": dir, "WARDNET_SERVER": "http://192.0.2.1:9"})
	t.Setenv("WARDNET_TUNNELLER", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"tunnel", "--tunneller", "http://192.0.2.1:9"}, "local-443 local-853 local-udp"},
		{[]string{"tunnel", "--local-443", "127.0.0.1:8443"}, "--tunneller (or $WARDNET_TUNNELLER) is required"},
		{[]string{"tunnel", "--tunneller", "ftp://x", "--local-443", "127.0.0.1:8443"}, "tunneller: server URL"},
		{[]string{"tunnel", "--tunneller", "http://192.0.2.1:9", "--local-443", "8443"}, "local address for port 443"},
		{[]string{"tunnel", "--tunneller", "http://192.0.2.1:9", "--local-udp", "51820"}, "local UDP address"},
		{[]string{"tunnel", "--tunneller", "http://192.0.2.1:9", "--local-853", "127.0.0.1:853"}, "not enrolled"},
		{[]string{"tunnel", "--tunneller", "wss://192.0.2.1:9", "--local-udp", "127.0.0.1:51820", "--proxy-header"}, "not enrolled"},
	} {
		if _, err := run(t, "", tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q", tc.args, err, tc.want)
		}
	}
	t.Setenv("WARDNET_TUNNELLER", "http://192.0.2.1:9")
	if _, err := run(t, "", "tunnel", "--local-443", "127.0.0.1:8443"); err == nil || !strings.Contains(err.Error(), "not enrolled") {
		t.Errorf("--tunneller from the environment: %v, want not enrolled", err)
	}
}
