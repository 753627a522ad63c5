package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// newClock is a stopped clock shared by the limiters of one test.
func newClock() *testenv.Clock {
	return testenv.StoppedClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
}

func newLimiter(t *testing.T, js jetstream.JetStream, limit ratelimit.Limit, clk *testenv.Clock) *ratelimit.Limiter {
	t.Helper()
	opts := ratelimit.Options{}
	if clk != nil {
		opts.Clock = clk.Now
	}
	l, err := ratelimit.New(context.Background(), js, limit, opts)
	if err != nil {
		t.Fatalf("new limiter: %v", err)
	}
	return l
}

// secondReplica is another connection to the same server, as another
// replica of the service would have.
func secondReplica(t *testing.T, n *testenv.NATS) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(n.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func mustAllow(t *testing.T, l *ratelimit.Limiter, key string, want bool) time.Duration {
	t.Helper()
	ok, retry, err := l.Allow(context.Background(), key)
	if err != nil {
		t.Fatalf("allow %q: %v", key, err)
	}
	if ok != want {
		t.Fatalf("allow %q = %v, want %v", key, ok, want)
	}
	if ok && retry != 0 {
		t.Fatalf("admitted with retryAfter %s", retry)
	}
	return retry
}

// hammer runs callers concurrent Allow calls for key, spread over the
// limiters, and returns how many were admitted.
func hammer(t *testing.T, limiters []*ratelimit.Limiter, key string, callers int) int {
	t.Helper()
	var admitted atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, callers)
	for i := range callers {
		l := limiters[i%len(limiters)]
		wg.Go(func() {
			<-start
			ok, retry, err := l.Allow(context.Background(), key)
			switch {
			case err != nil:
				errs <- err
			case ok:
				admitted.Add(1)
			case retry <= 0:
				errs <- errors.New("refused without retryAfter")
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("allow: %v", err)
	}
	return int(admitted.Load())
}

func TestLimitHoldsUnderConcurrentCallers(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	l := newLimiter(t, n.JS, ratelimit.VerificationCodes, nil)
	if got := hammer(t, []*ratelimit.Limiter{l}, "192.0.2.1", 50); got != ratelimit.VerificationCodes.Max {
		t.Fatalf("admitted %d of 50, want exactly %d", got, ratelimit.VerificationCodes.Max)
	}
	mustAllow(t, l, "192.0.2.1", false)
}

func TestLimitIsSharedAcrossReplicas(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	a := newLimiter(t, n.JS, ratelimit.LoginAttempts, nil)
	b := newLimiter(t, secondReplica(t, n), ratelimit.LoginAttempts, nil)
	if got := hammer(t, []*ratelimit.Limiter{a, b}, "198.51.100.7", 50); got != ratelimit.LoginAttempts.Max {
		t.Fatalf("two replicas admitted %d of 50, want exactly %d", got, ratelimit.LoginAttempts.Max)
	}
	// Sequentially too: what one replica admitted, the other counts.
	for i := range 3 {
		l := []*ratelimit.Limiter{a, b}[i%2]
		mustAllow(t, l, "198.51.100.8", true)
	}
	c := newLimiter(t, n.JS, ratelimit.Limit{Name: ratelimit.LoginAttempts.Name, Max: 3, Window: time.Minute}, nil)
	mustAllow(t, c, "198.51.100.8", false)
}

func TestWindowSlides(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	clk := newClock()
	limit := ratelimit.Limit{Name: "slide", Max: 3, Window: time.Hour}
	l := newLimiter(t, n.JS, limit, clk)
	const key = "203.0.113.9"

	mustAllow(t, l, key, true) // t=0
	clk.Advance(10 * time.Minute)
	mustAllow(t, l, key, true) // t=10m
	clk.Advance(10 * time.Minute)
	mustAllow(t, l, key, true) // t=20m
	clk.Advance(5 * time.Minute)
	if retry := mustAllow(t, l, key, false); retry != 35*time.Minute {
		t.Fatalf("retryAfter = %s, want 35m (the first request leaves the window at t=60m)", retry)
	}
	// Refusals are not recorded: the wait does not grow.
	clk.Advance(30 * time.Minute)
	if retry := mustAllow(t, l, key, false); retry != 5*time.Minute {
		t.Fatalf("retryAfter = %s, want 5m", retry)
	}
	clk.Advance(5 * time.Minute) // t=60m: the first request is out
	mustAllow(t, l, key, true)
	if retry := mustAllow(t, l, key, false); retry != 10*time.Minute {
		t.Fatalf("retryAfter = %s, want 10m (the second request leaves at t=70m)", retry)
	}
	clk.Advance(2 * time.Hour) // all out
	for range limit.Max {
		mustAllow(t, l, key, true)
	}
	mustAllow(t, l, key, false)
}

func TestKeysAndLimitsAreIndependent(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	one := ratelimit.Limit{Name: "one", Max: 1, Window: time.Minute}
	a := newLimiter(t, n.JS, one, nil)
	b := newLimiter(t, n.JS, ratelimit.Limit{Name: "other", Max: 1, Window: time.Minute}, nil)

	mustAllow(t, a, "192.0.2.1", true)
	mustAllow(t, a, "192.0.2.1", false)
	mustAllow(t, a, "192.0.2.2", true)
	mustAllow(t, a, "", true)
	mustAllow(t, b, "192.0.2.1", true)
	mustAllow(t, a, "192.0.2.10", true) // not a prefix match of .1
}

// A client is its IPv4 address or its IPv6 /64, however it is written.
func TestClientKeys(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	l := newLimiter(t, n.JS, ratelimit.Limit{Name: "v6", Max: 2, Window: time.Minute}, nil)

	same := []string{"2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:DB8::1", "2001:db8::1%eth0", "2001:db8::ffff:2"}
	for _, s := range same {
		if got := ratelimit.ClientKey(netip.MustParseAddr(s)); got != "2001:db8::/64" {
			t.Fatalf("ClientKey(%s) = %s", s, got)
		}
	}
	if got := ratelimit.ClientKey(netip.MustParseAddr("::ffff:192.0.2.1")); got != "192.0.2.1/32" {
		t.Fatalf("mapped IPv4 key = %s", got)
	}
	if got := ratelimit.ClientKey(netip.Addr{}); got != "unknown" {
		t.Fatalf("no address: %s", got)
	}

	mustAllow(t, l, ratelimit.ClientKey(netip.MustParseAddr(same[0])), true)
	mustAllow(t, l, ratelimit.ClientKey(netip.MustParseAddr(same[4])), true)
	mustAllow(t, l, ratelimit.ClientKey(netip.MustParseAddr(same[2])), false)
	mustAllow(t, l, "2001:db8:0:1::1", true)
	mustAllow(t, l, "fe80::1%eth0", true) // a raw key with '%' and ':' is fine
	mustAllow(t, l, "::", true)

	// The address is not in any subject in clear.
	st, err := n.JS.Stream(context.Background(), ratelimit.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background(), jetstream.WithSubjectFilter(">"))
	if err != nil {
		t.Fatal(err)
	}
	if len(info.State.Subjects) != 4 {
		t.Fatalf("subjects = %v, want 4", info.State.Subjects)
	}
	for subj := range info.State.Subjects {
		if strings.Contains(subj, "2001") || strings.Contains(subj, "fe80") || !strings.HasPrefix(subj, "wardnet.rl.v6.") {
			t.Fatalf("subject %q", subj)
		}
	}
}

// Idle keys disappear from the stream after their window (per-message TTL).
func TestIdleKeysExpire(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	l := newLimiter(t, n.JS, ratelimit.Limit{Name: "ttl", Max: 1, Window: time.Second}, nil)
	mustAllow(t, l, "192.0.2.1", true)
	st, err := n.JS.Stream(context.Background(), ratelimit.Stream)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, func() error {
		info, err := st.Info(context.Background())
		if err != nil || info.State.Msgs != 0 {
			return fmt.Errorf("state still stored after its TTL: %v, %+v", err, info)
		}
		return nil
	})
	mustAllow(t, l, "192.0.2.1", true)
}

func TestInvalidLimits(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	for _, limit := range []ratelimit.Limit{
		{Name: "", Max: 1, Window: time.Minute},
		{Name: "a.b", Max: 1, Window: time.Minute},
		{Name: "a>", Max: 1, Window: time.Minute},
		{Name: "Upper", Max: 1, Window: time.Minute},
		{Name: "ok", Max: 0, Window: time.Minute},
		{Name: "ok", Max: 1, Window: time.Millisecond},
		{Name: "ok", Max: 1, Window: 48 * time.Hour},
	} {
		if _, err := ratelimit.New(context.Background(), n.JS, limit, ratelimit.Options{}); err == nil {
			t.Errorf("New accepted %+v", limit)
		}
	}
}

// Without a server, Allow fails instead of admitting.
func TestAllowFailsClosed(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	l := newLimiter(t, n.JS, ratelimit.LoginAttempts, nil)
	n.Server.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok, _, err := l.Allow(ctx, "192.0.2.1")
	if err == nil || ok {
		t.Fatalf("allow without NATS = %v, %v", ok, err)
	}
}

// The stock-client limits are valid, distinct from every other limit (a
// shared name would share counts), and each admits its Max and no more.
func TestStockClientLimits(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	names := map[string]bool{ratelimit.VerificationCodes.Name: true, ratelimit.LoginAttempts.Name: true}
	for _, limit := range []ratelimit.Limit{ratelimit.StockClients, ratelimit.StockUpdates} {
		if names[limit.Name] {
			t.Fatalf("limit name %q used twice", limit.Name)
		}
		names[limit.Name] = true
		l := newLimiter(t, n.JS, limit, nil)
		if got := hammer(t, []*ratelimit.Limiter{l}, "key", limit.Max+5); got != limit.Max {
			t.Errorf("%s admitted %d, want %d", limit, got, limit.Max)
		}
	}
}
