package cloudflare_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors/dns/zone"
)

const testToken = "cf-test-token-7f3a9c1d5e"

var epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

type harness struct {
	srv    *cftest.Server
	clock  *cftest.VirtualClock
	client *cloudflare.Client
	logs   *testenv.Logs
}

type setup struct {
	token   string // client's token; default testToken
	retry   cloudflare.RetryPolicy
	budget  *cloudflare.BudgetConfig
	perPage int
	fakeOpt []cftest.Option
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	clock := cftest.NewVirtualClock(epoch)
	srv := cftest.NewServer(t, testToken, append([]cftest.Option{cftest.WithClock(clock)}, s.fakeOpt...)...)
	bcfg := cloudflare.BudgetConfig{Requests: 1_000_000, Per: time.Second, Burst: 1_000_000}
	if s.budget != nil {
		bcfg = *s.budget
	}
	budget, err := cloudflare.NewBudget(bcfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.Logs{}
	token := testToken
	if s.token != "" {
		token = s.token
	}
	c, err := cloudflare.New(cloudflare.Config{
		ZoneID: srv.ZoneID, Token: token, BaseURL: srv.URL,
		Retry: s.retry, Budget: budget, Clock: clock, PerPage: s.perPage,
		Rand:   func() float64 { return 0.5 },
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{srv: srv, clock: clock, client: c, logs: logs}
}

func aRecord(name, ip string) zone.RecordSpec {
	return zone.RecordSpec{Type: zone.TypeA, Name: name, Content: ip, TTL: 120}
}

func TestCRUDRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{})
	ctx := t.Context()
	name := "home.example.net"

	a, err := h.client.Create(ctx, aRecord(name, "203.0.113.7"))
	if err != nil {
		t.Fatalf("create A: %v", err)
	}
	if len(a.ID) != 32 || a.Name != name || a.Content != "203.0.113.7" || a.TTL != 120 || a.Proxied {
		t.Fatalf("created A = %+v", a)
	}
	aaaa, err := h.client.Create(ctx, zone.RecordSpec{Type: zone.TypeAAAA, Name: name, Content: "2001:db8::7", TTL: 120})
	if err != nil {
		t.Fatalf("create AAAA: %v", err)
	}
	txt, err := h.client.Create(ctx, zone.RecordSpec{Type: zone.TypeTXT, Name: "_acme-challenge." + name, Content: "digest-1", TTL: 60, Comment: "wardnet"})
	if err != nil {
		t.Fatalf("create TXT: %v", err)
	}
	if txt.Comment != "wardnet" || txt.TTL != 60 {
		t.Fatalf("created TXT = %+v", txt)
	}

	got, err := h.client.Get(ctx, a.ID)
	if err != nil || got != a {
		t.Fatalf("get = %+v, %v; want %+v", got, err, a)
	}
	list, err := h.client.List(ctx, name, zone.TypeA)
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("list A = %+v, %v", list, err)
	}
	list, err = h.client.List(ctx, name, "")
	if err != nil || len(list) != 2 {
		t.Fatalf("list any type = %+v, %v; want A and AAAA", list, err)
	}

	h.clock.Advance(time.Minute)
	upd, err := h.client.Update(ctx, a.ID, aRecord(name, "198.51.100.9"))
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if upd.ID != a.ID || upd.Content != "198.51.100.9" {
		t.Fatalf("updated = %+v", upd)
	}
	recs := h.srv.Records(h.srv.ZoneID)
	if len(recs) != 3 {
		t.Fatalf("fake holds %d records, want 3 (update must be in place)", len(recs))
	}
	for _, r := range recs {
		if r.ID == a.ID && (!r.CreatedOn.Equal(epoch) || !r.ModifiedOn.Equal(epoch.Add(time.Minute))) {
			t.Fatalf("updated record at the fake = %+v, want created at %s and modified a minute later", r, epoch)
		}
	}

	for _, id := range []string{a.ID, aaaa.ID, txt.ID} {
		if err := h.client.Delete(ctx, id); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
	}
	if _, err := h.client.Get(ctx, a.ID); !errors.Is(err, zone.ErrNotFound) {
		t.Fatalf("get deleted = %v, want ErrNotFound", err)
	}
	if recs := h.srv.Records(h.srv.ZoneID); len(recs) != 0 {
		t.Fatalf("fake still holds %+v", recs)
	}
}

func TestListFiltersAndPagination(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{})
	ctx := t.Context()
	const txtName = "_acme-challenge.big.example.net"
	for i := range 250 {
		if _, err := h.srv.PutRecord(h.srv.ZoneID, cftest.Record{Type: "TXT", Name: txtName, Content: fmt.Sprintf("v%03d", i), TTL: 60}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		if _, err := h.srv.PutRecord(h.srv.ZoneID, cftest.Record{Type: "A", Name: fmt.Sprintf("n%02d.example.net", i), Content: "192.0.2.1", TTL: 120}); err != nil {
			t.Fatal(err)
		}
	}
	// A decoy of the other type under the same name, and a longer name that contains it.
	if _, err := h.srv.PutRecord(h.srv.ZoneID, cftest.Record{Type: "A", Name: txtName, Content: "192.0.2.2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.PutRecord(h.srv.ZoneID, cftest.Record{Type: "TXT", Name: "x." + txtName, Content: "decoy"}); err != nil {
		t.Fatal(err)
	}

	before := h.srv.Requests()
	got, err := h.client.List(ctx, strings.ToUpper(txtName), zone.TypeTXT)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 {
		t.Fatalf("listed %d TXT records, want 250", len(got))
	}
	seen := map[string]bool{}
	for _, r := range got {
		if r.Type != zone.TypeTXT || r.Name != txtName || seen[r.ID] {
			t.Fatalf("unexpected or repeated record %+v", r)
		}
		seen[r.ID] = true
	}
	if n := h.srv.Requests() - before; n != 3 {
		t.Fatalf("listing 250 records took %d requests, want 3 pages of 100", n)
	}

	as, err := h.client.List(ctx, "", zone.TypeA)
	if err != nil || len(as) != 31 {
		t.Fatalf("list all A = %d records, %v; want 31", len(as), err)
	}
	none, err := h.client.List(ctx, "absent.example.net", zone.TypeA)
	if err != nil || len(none) != 0 {
		t.Fatalf("list absent = %+v, %v", none, err)
	}
}

func TestListExactMultipleOfPageSize(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{perPage: 10})
	for i := range 20 {
		if _, err := h.srv.PutRecord(h.srv.ZoneID, cftest.Record{Type: "TXT", Name: "t.example.net", Content: fmt.Sprint(i), TTL: 60}); err != nil {
			t.Fatal(err)
		}
	}
	before := h.srv.Requests()
	got, err := h.client.List(t.Context(), "t.example.net", zone.TypeTXT)
	if err != nil || len(got) != 20 {
		t.Fatalf("list = %d, %v", len(got), err)
	}
	if n := h.srv.Requests() - before; n != 2 {
		t.Fatalf("took %d requests, want 2 (total_pages ends the walk)", n)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{})
	h.srv.Inject(cftest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second}, 1)

	start := h.clock.Now()
	rec, err := h.client.Create(t.Context(), aRecord("ra.example.net", "203.0.113.1"))
	if err != nil {
		t.Fatalf("create after 429: %v", err)
	}
	if waited := h.clock.Now().Sub(start); waited < 7*time.Second {
		t.Fatalf("client waited %s after Retry-After: 7, want at least 7s", waited)
	}
	log := h.srv.RequestLog()
	if len(log) != 2 || log[0].Status != 429 || log[1].Status != 200 || log[1].At.Sub(log[0].At) < 7*time.Second {
		t.Fatalf("requests at the fake = %+v", log)
	}
	if recs := h.srv.Records(h.srv.ZoneID); len(recs) != 1 || recs[0].ID != rec.ID {
		t.Fatalf("fake holds %+v", recs)
	}
}

func TestRetryAfterPausesSharedBudget(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{retry: cloudflare.RetryPolicy{MaxAttempts: 1, MaxRetryAfter: time.Hour}})
	h.srv.Inject(cftest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 30 * time.Second}, 1)
	start := h.clock.Now()
	if _, err := h.client.Get(t.Context(), cftest.NewID()); !errors.Is(err, cloudflare.ErrRateLimited) {
		t.Fatalf("get = %v, want ErrRateLimited", err)
	}
	// The next call, of any kind, waits out Cloudflare's block first.
	if _, err := h.client.List(t.Context(), "x.example.net", zone.TypeA); err != nil {
		t.Fatal(err)
	}
	if waited := h.clock.Now().Sub(start); waited < 30*time.Second {
		t.Fatalf("next call went out after %s, want >= 30s", waited)
	}
}

func TestRetryAfterTooLongReturnsAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{retry: cloudflare.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: time.Second, MaxRetryAfter: time.Minute}})
	h.srv.Inject(cftest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 5 * time.Minute}, 1)
	_, err := h.client.Create(t.Context(), aRecord("long.example.net", "203.0.113.1"))
	var apiErr *cloudflare.APIError
	if !errors.Is(err, cloudflare.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter() != 5*time.Minute || !apiErr.HasCode(cftest.CodeThrottled) {
		t.Fatalf("create = %v, want ErrRateLimited with RetryAfter 5m and code 971", err)
	}
	if got := zone.RetryAfter(err); got != 5*time.Minute {
		t.Fatalf("zone.RetryAfter(%v) = %s, want 5m", err, got)
	}
	if n := h.srv.Requests(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestServerErrorsRetriedThenSucceed(t *testing.T) {
	t.Parallel()
	retry := cloudflare.RetryPolicy{MaxAttempts: 5, BaseDelay: 500 * time.Millisecond, MaxDelay: 10 * time.Second, MaxRetryAfter: time.Minute}
	h := newHarness(t, setup{retry: retry})
	h.srv.Inject(cftest.Fault{Status: 500}, 1)
	h.srv.Inject(cftest.Fault{Status: 502, HTML: true}, 1)
	h.srv.Inject(cftest.Fault{Drop: true}, 1)
	h.srv.Inject(cftest.Fault{Status: 503}, 1)

	start := h.clock.Now()
	if _, err := h.client.Create(t.Context(), aRecord("burst.example.net", "203.0.113.2")); err != nil {
		t.Fatalf("create through a 5xx burst: %v", err)
	}
	if n := h.srv.Requests(); n != 5 {
		t.Fatalf("%d requests, want 5", n)
	}
	// Rand is 0.5: waits are 3/4 of 0.5, 1, 2 and 4 s.
	if waited, want := h.clock.Now().Sub(start), 3*(500+1000+2000+4000)*time.Millisecond/4; waited != want {
		t.Fatalf("backoff total %s, want %s", waited, want)
	}
	if recs := h.srv.Records(h.srv.ZoneID); len(recs) != 1 {
		t.Fatalf("fake holds %d records, want 1", len(recs))
	}
}

func TestRetriesExhausted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{retry: cloudflare.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: 10 * time.Second, MaxRetryAfter: time.Minute}})
	h.srv.Inject(cftest.Fault{Status: 503}, 10)
	_, err := h.client.Create(t.Context(), aRecord("down.example.net", "203.0.113.3"))
	var apiErr *cloudflare.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || !strings.Contains(err.Error(), "giving up after 3 attempts") {
		t.Fatalf("create = %v, want a 503 APIError after 3 attempts", err)
	}
	if n := h.srv.Requests(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestContextEndsRetries(t *testing.T) {
	t.Parallel()
	clock := cftest.NewVirtualClock(epoch)
	srv := cftest.NewServer(t, testToken, cftest.WithClock(clock))
	srv.Inject(cftest.Fault{Status: 500}, 100)
	c, err := cloudflare.New(cloudflare.Config{
		ZoneID: srv.ZoneID, Token: testToken, BaseURL: srv.URL, Clock: cloudflare.SystemClock{},
		Retry: cloudflare.RetryPolicy{MaxAttempts: 100, BaseDelay: time.Hour, MaxDelay: time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err = c.Create(ctx, aRecord("ctx.example.net", "203.0.113.4"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("create = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("returned after %s: backoff ignored the context", d)
	}
}

func TestDuplicateCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{})
	spec := aRecord("dup.example.net", "203.0.113.5")
	if _, err := h.client.Create(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	_, err := h.client.Create(t.Context(), spec)
	var apiErr *cloudflare.APIError
	if !errors.Is(err, cloudflare.ErrDuplicate) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !apiErr.HasCode(81058) {
		t.Fatalf("second create = %v, want ErrDuplicate (400, 81058)", err)
	}
	if n := h.srv.Requests(); n != 2 {
		t.Fatalf("%d requests, want 2 (a 400 is not retried)", n)
	}
}

func TestMissingRecord(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{})
	id := cftest.NewID()
	if err := h.client.Delete(t.Context(), id); !errors.Is(err, zone.ErrNotFound) {
		t.Fatalf("delete missing = %v, want ErrNotFound", err)
	}
	if _, err := h.client.Update(t.Context(), id, aRecord("gone.example.net", "203.0.113.6")); !errors.Is(err, zone.ErrNotFound) {
		t.Fatalf("update missing = %v, want ErrNotFound", err)
	}
	// Deleted by hand behind the client's back.
	rec, err := h.client.Create(t.Context(), aRecord("hand.example.net", "203.0.113.6"))
	if err != nil {
		t.Fatal(err)
	}
	if !h.srv.RemoveRecord(h.srv.ZoneID, rec.ID) {
		t.Fatal("record not at the fake")
	}
	if err := h.client.Delete(t.Context(), rec.ID); !errors.Is(err, zone.ErrNotFound) {
		t.Fatalf("delete of a hand-deleted record = %v, want ErrNotFound", err)
	}
}

func TestValidationErrorsAreFinal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, setup{})
	cases := []struct {
		spec zone.RecordSpec
		code int
	}{
		{aRecord("bad.example.net", "2001:db8::1"), 9005},
		{zone.RecordSpec{Type: zone.TypeAAAA, Name: "bad.example.net", Content: "192.0.2.1", TTL: 120}, 9006},
		{aRecord("bad..example.net", "192.0.2.1"), 9000},
		{zone.RecordSpec{Type: zone.TypeA, Name: "bad.example.net", Content: "192.0.2.1", TTL: 30}, 9021},
	}
	for _, tc := range cases {
		_, err := h.client.Create(t.Context(), tc.spec)
		var apiErr *cloudflare.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !apiErr.HasCode(tc.code) {
			t.Errorf("create %+v = %v, want 400 with code %d", tc.spec, err, tc.code)
		}
	}
	if n := h.srv.Requests(); n != int64(len(cases)) {
		t.Fatalf("%d requests, want %d (no retries)", n, len(cases))
	}
	if _, err := h.client.Create(t.Context(), zone.RecordSpec{Type: "MX", Name: "x.example.net"}); err == nil {
		t.Fatal("an MX record was accepted")
	}
}

func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const wrong = "wrong-token-d41d8cd98f00b204"
	bad := newHarness(t, setup{token: wrong})
	_, err := bad.client.List(t.Context(), "x.example.net", zone.TypeA)
	var apiErr *cloudflare.APIError
	if !errors.Is(err, cloudflare.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || !apiErr.HasCode(10000) {
		t.Fatalf("list with a wrong token = %v, want ErrUnauthorized (403, 10000)", err)
	}
	checkNoSecret(t, wrong, fmt.Sprintf("%v %+v %#v", err, err, apiErr), bad.logs.String())

	// A good token through retries, failures and a dropped connection.
	h := newHarness(t, setup{retry: cloudflare.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: time.Second, MaxRetryAfter: time.Minute}})
	h.srv.Inject(cftest.Fault{Status: 429, RetryAfter: time.Second}, 1)
	h.srv.Inject(cftest.Fault{Status: 500}, 2)
	h.srv.Inject(cftest.Fault{Drop: true}, 2)
	var errs []string
	for range 3 {
		_, err := h.client.Create(t.Context(), aRecord("leak.example.net", "203.0.113.8"))
		errs = append(errs, fmt.Sprintf("%v %+v", err, err))
	}
	if _, err := h.client.Create(t.Context(), aRecord("leak.example.net", "203.0.113.8")); err != nil {
		errs = append(errs, err.Error())
	}
	_, err = h.client.Create(t.Context(), aRecord("leak.example.net", "203.0.113.8")) // duplicate
	errs = append(errs, fmt.Sprintf("%v", err))
	if !strings.Contains(h.logs.String(), "will retry") {
		t.Fatal("no retry was logged; the check below would prove nothing")
	}
	checkNoSecret(t, testToken, strings.Join(errs, "\n"), h.logs.String())
}

func checkNoSecret(t *testing.T, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) || strings.Contains(s, secret[:12]) {
			t.Fatalf("token leaked into %q", s)
		}
	}
}

func TestBudgetBoundsRequestRate(t *testing.T) {
	t.Parallel()
	const window = 5 * time.Minute
	budget := cloudflare.BudgetConfig{Requests: 100, Per: window, Burst: 5}
	// The fake enforces a ceiling just above what the budget allows.
	h := newHarness(t, setup{budget: &budget, fakeOpt: []cftest.Option{cftest.WithCeiling(110, window)},
		retry: cloudflare.RetryPolicy{MaxAttempts: 1}})
	const calls = 400
	for i := range calls {
		if _, err := h.client.List(t.Context(), fmt.Sprintf("n%d.example.net", i), zone.TypeA); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	log := h.srv.RequestLog()
	if len(log) != calls {
		t.Fatalf("%d requests at the fake, want %d", len(log), calls)
	}
	maxInWindow := 0
	for i := range log {
		n := 0
		for j := i; j >= 0 && log[i].At.Sub(log[j].At) < window; j-- {
			n++
		}
		maxInWindow = max(maxInWindow, n)
	}
	if maxInWindow > budget.Requests+budget.Burst {
		t.Fatalf("%d requests in one 5-minute window, budget allows %d", maxInWindow, budget.Requests+budget.Burst)
	}
	if maxInWindow < budget.Requests {
		t.Fatalf("only %d requests in the busiest window: the budget is slower than configured", maxInWindow)
	}
	// 400 requests at 100 per 5 minutes after a burst of 5 take ~19.75 minutes.
	if elapsed, want := log[len(log)-1].At.Sub(log[0].At), time.Duration(float64(calls-budget.Burst)/float64(budget.Requests)*float64(window)); elapsed < want-time.Second {
		t.Fatalf("requests spread over %s, want at least %s", elapsed, want)
	}
}

func TestWithoutBudgetTheCeilingBites(t *testing.T) {
	t.Parallel()
	// The control for the test above: the same calls without a budget hit
	// the fake's ceiling, so the fake would catch a budget that let too many through.
	h := newHarness(t, setup{fakeOpt: []cftest.Option{cftest.WithCeiling(110, 5*time.Minute)},
		retry: cloudflare.RetryPolicy{MaxAttempts: 1}})
	var err error
	for i := 0; i < 400 && err == nil; i++ {
		_, err = h.client.List(t.Context(), "x.example.net", zone.TypeA)
	}
	if !errors.Is(err, cloudflare.ErrRateLimited) {
		t.Fatalf("400 unbudgeted calls ended with %v, want ErrRateLimited", err)
	}
}

func TestBudgetConfigValidation(t *testing.T) {
	t.Parallel()
	if DefaultSum := cloudflare.DefaultBudget.Requests + cloudflare.DefaultBudget.Burst; DefaultSum > 1200 {
		t.Fatalf("default budget allows %d requests per 5 minutes, over Cloudflare's 1200", DefaultSum)
	}
	for _, bad := range []cloudflare.BudgetConfig{{}, {Requests: 1, Per: time.Second}, {Requests: -1, Per: time.Second, Burst: 1}} {
		if _, err := cloudflare.NewBudget(bad, nil); err == nil {
			t.Errorf("NewBudget(%+v) accepted", bad)
		}
	}
}
