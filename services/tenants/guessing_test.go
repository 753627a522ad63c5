package tenants_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
)

// attempt posts a JSON body to path at base as client ip and returns the
// status, the Retry-After header and the error message.
func attempt(t *testing.T, base, path, ip string, body any) (int, string, string) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip) // honoured from loopback only, as in development
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var eb struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(raw, &eb)
	return resp.StatusCode, resp.Header.Get("Retry-After"), eb.Error
}

// The routes that take a one-time code, each with a wrong one.
var codeRoutes = []struct {
	name, path string
	body       func(code string) map[string]string
}{
	{"enroll", "/v1/enroll", func(c string) map[string]string {
		return map[string]string{"code": c, "public_key": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}
	}},
	{"signup", "/v1/auth/password/signup", func(c string) map[string]string {
		return map[string]string{"email": "guess@example.com", "code": c, "password": "correct horse battery"}
	}},
	{"reset", "/v1/auth/password/reset", func(c string) map[string]string {
		return map[string]string{"code": c, "password": "correct horse battery"}
	}},
}

// Wrong codes from one client (an IPv6 /64, across its addresses) count
// together on every route that takes a code and on every replica: the
// first ratelimit.CodeFailures.Max are answered 401, then every route on
// every replica answers 429 with Retry-After, while another client is
// still answered 401. A right code does not count.
func TestWrongCodesFromOneClientAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	second := e.replica()
	replicas := []string{e.base, second}
	max := ratelimit.CodeFailures.Max

	// A right code among wrong ones is given back: the client still has
	// all of its wrong attempts.
	var c struct{ Code *string }
	e.person().mustCall(200, "POST", "/v1/verification-codes", map[string]string{"email": "right@example.com", "purpose": "enrollment"}, &c)
	d := e.agentAt("right", "2001:db8:aa:bb::99")
	if _, err := d.Enroll(t.Context(), *c.Code); err != nil {
		t.Fatalf("a right code: %v", err)
	}

	for i := range max {
		route := codeRoutes[i%len(codeRoutes)]
		ip := fmt.Sprintf("2001:db8:aa:bb::%x", i+1) // one /64
		if got, _, msg := attempt(t, replicas[i%2], route.path, ip, route.body("QQQQQQ")); got != 401 {
			t.Fatalf("wrong code %d (%s) = %d %q, want 401", i+1, route.name, got, msg)
		}
	}
	for _, base := range replicas {
		for _, route := range codeRoutes {
			got, retry, msg := attempt(t, base, route.path, "2001:db8:aa:bb:ffff::1", route.body("QQQQQQ"))
			if got != 429 || retry == "" || msg != "too many wrong codes; try again later" {
				t.Fatalf("%s at %s after %d wrong codes = %d, Retry-After %q, %q; want 429", route.name, base, max, got, retry, msg)
			}
		}
	}
	if got, _, msg := attempt(t, second, "/v1/enroll", "2001:db8:aa:cc::1", codeRoutes[0].body("QQQQQQ")); got != 401 {
		t.Fatalf("another /64 = %d %q, want 401", got, msg)
	}
}

// Once the wrong attempts at enrollment codes of the whole cluster reach
// the purpose's budget, from many clients each within its own limit, every
// attempt at an enrollment code is refused, from any client on any
// replica, while other purposes are still answered; it is logged and
// counted.
func TestCodeFailureBudgetEngages(t *testing.T) {
	t.Parallel()
	e := startE2E(t)
	second := e.replica()
	replicas := []string{e.base, second}
	budget := ratelimit.CodeFailureBudget("enrollment").Max
	perClient := ratelimit.CodeFailures.Max
	clients := budget / perClient

	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for n := range work {
				ip := fmt.Sprintf("198.18.%d.%d", n/perClient/250, n/perClient%250)
				if got, _, msg := attempt(t, replicas[n%2], "/v1/enroll", ip, codeRoutes[0].body("QQQQQQ")); got != 401 {
					t.Errorf("wrong code %d = %d %q, want 401", n, got, msg)
				}
			}
		})
	}
	for n := range clients * perClient {
		work <- n
	}
	close(work)
	wg.Wait()
	if t.Failed() {
		return
	}

	for _, base := range replicas {
		got, retry, msg := attempt(t, base, "/v1/enroll", "203.0.113.200", codeRoutes[0].body("QQQQQQ"))
		if got != 429 || retry == "" || msg != "too many wrong codes are being tried; try again later" {
			t.Fatalf("enrollment at %s after %d wrong codes = %d, Retry-After %q, %q; want 429", base, budget, got, retry, msg)
		}
	}
	if got, _, msg := attempt(t, second, "/v1/auth/password/signup", "203.0.113.201", codeRoutes[1].body("QQQQQQ")); got != 401 {
		t.Fatalf("a signup code = %d %q, want 401: the budget is per purpose", got, msg)
	}
	if !strings.Contains(e.logs.String(), "code failure budget spent") {
		t.Error("the budget engaged without a log line")
	}
	metrics := servicetest.Get(t, e.base+"/metrics")
	if !strings.Contains(metrics, `wardnet_code_attempts_refused_total{limit="budget",purpose="enrollment"} 1`) {
		t.Errorf("no refusal counted in /metrics:\n%s", grepLines(metrics, "wardnet_code"))
	}
}

func grepLines(s, substr string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
