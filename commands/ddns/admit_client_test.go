package ddns_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// Client addresses are counted one by one for IPv4, by /64 for IPv6.
func TestAdmitClient(t *testing.T) {
	t.Parallel()
	f := newFixtureWithLimits(t, ratelimit.Limit{Name: "client", Max: 2, Window: time.Minute}, roomy)
	ctx := t.Context()
	admit := func(ip string) error { return f.cmds.AdmitClient(ctx, netip.MustParseAddr(ip)) }
	for _, ip := range []string{"203.0.114.7", "::ffff:203.0.114.7", "2a01:4f8:1:2::1", "2a01:4f8:1:2::ffff"} {
		if err := admit(ip); err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
	}
	wantThrottled(t, admit("203.0.114.7"))
	wantThrottled(t, admit("2a01:4f8:1:2:abcd::1"))
	for _, ip := range []string{"203.0.114.8", "2a01:4f8:1:3::1"} {
		if err := admit(ip); err != nil {
			t.Errorf("%s, another client: %v", ip, err)
		}
	}
	// No address known: one count for all of them.
	for range 2 {
		if err := f.cmds.AdmitClient(ctx, netip.Addr{}); err != nil {
			t.Fatal(err)
		}
	}
	wantThrottled(t, f.cmds.AdmitClient(ctx, netip.Addr{}))
}
