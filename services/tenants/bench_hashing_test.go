package tenants_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/benchreport"
)

// benchHashingSignups is how many valid-code signups run at once, each
// hashing a password (argon2id, 19 MiB).
const benchHashingSignups = 64

// BenchmarkHealthUnderPasswordHashing measures what a burst of password
// hashing does to the rest of the service: GET /v1/health latency, probed
// one request at a time, while benchHashingSignups signups with valid
// codes run at once, against the same probes on the idle service. Each
// signup is a client that honours 503 Retry-After, so every one of them
// hashes in the end; the service's password hasher keeps at most one
// argon2id computation per CPU running (WARDNET_PASSWORD_HASHES) and the
// others waiting. It reports the loaded p99 over the idle p99, and the
// process's peak heap while the signups run over its peak while idle.
func BenchmarkHealthUnderPasswordHashing(b *testing.B) {
	s := benchStart(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		codes := s.signupCodes(b, benchHashingSignups)
		b.StartTimer()

		idle, idleHeap := s.probeWhile(b, func(stop func()) { time.Sleep(time.Second); stop() })
		var retried atomic.Int64
		loaded, loadedHeap := s.probeWhile(b, func(stop func()) {
			defer stop()
			var wg sync.WaitGroup
			for i, c := range codes {
				wg.Go(func() { benchMust(b, s.signup(ctx, c, i, &retried)) })
			}
			wg.Wait()
		})
		p99, base := benchPercentile(loaded, 0.99), benchPercentile(idle, 0.99)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		mib := func(n uint64) float64 { return float64(n) / (1 << 20) }
		b.Logf("health p99 %.2f ms under %d signups (%d probes, %d answers 503 and retried) vs %.2f ms idle (%d probes); peak heap %.0f MiB vs %.0f MiB idle",
			ms(p99), benchHashingSignups, len(loaded), retried.Load(), ms(base), len(idle), mib(loadedHeap), mib(idleHeap))
		b.ReportMetric(ms(p99), "p99-ms")
		b.ReportMetric(mib(loadedHeap), "peak-heap-MiB")
		benchreport.Record("tenants.health_p99_under_hashing", ms(p99), "ms", ms(base))
		benchreport.Record("tenants.peak_heap_under_hashing", mib(loadedHeap), "MiB", mib(idleHeap))
	}
}

// signupCodes issues n signup codes, each for an email of its own.
func (s *benchTenants) signupCodes(b *testing.B, n int) []benchSignupCode {
	b.Helper()
	out := make([]benchSignupCode, n)
	benchMust(b, benchFanOut(n, benchWorkers, func(i int) error {
		c := s.clients.Add(1)
		email := fmt.Sprintf("signup-%d@example.com", c)
		var code struct {
			Code *string `json:"code"`
		}
		err := s.call(context.Background(), http.MethodPost, "/v1/verification-codes",
			benchJSON(map[string]string{"email": email, "purpose": "signup"}), func(r *http.Request) {
				r.Header.Set("X-Forwarded-For", fmt.Sprintf("198.%d.%d.%d", 18+c>>16&1, c>>8&0xff, c&0xff))
			}, &code)
		if err == nil && code.Code == nil {
			err = fmt.Errorf("signup code for %s: not echoed", email)
		}
		if err == nil {
			out[i] = benchSignupCode{email: email, code: *code.Code}
		}
		return err
	}))
	return out
}

type benchSignupCode struct{ email, code string }

// signup signs up with c, as client i, retrying after each 503 as its
// Retry-After asks.
func (s *benchTenants) signup(ctx context.Context, c benchSignupCode, i int, retried *atomic.Int64) error {
	body := benchJSON(map[string]string{"email": c.email, "code": c.code, "password": "correct horse battery staple"})
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/v1/auth/password/signup", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i%250+1))
		resp, err := s.hc.Do(req)
		if err != nil {
			return err
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusNoContent:
			return nil
		case http.StatusServiceUnavailable:
			retried.Add(1)
			after, err := time.ParseDuration(resp.Header.Get("Retry-After") + "s")
			if err != nil {
				return fmt.Errorf("503 without a Retry-After in seconds: %q", resp.Header.Get("Retry-After"))
			}
			time.Sleep(after)
		default:
			return fmt.Errorf("signup: %d %s", resp.StatusCode, answer)
		}
	}
}

// probeWhile collects the garbage, then sends GET /v1/health one at a
// time, every millisecond, until run calls stop, and samples the heap as
// often. It returns the probes'
// latencies and the largest heap seen.
func (s *benchTenants) probeWhile(b *testing.B, run func(stop func())) ([]time.Duration, uint64) {
	b.Helper()
	ctx := context.Background()
	runtime.GC() // each phase starts from a collected heap
	done := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(done) }) }
	var (
		latencies []time.Duration
		peak      uint64
		probing   sync.WaitGroup
	)
	probing.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			start := time.Now()
			benchMust(b, s.health(ctx))
			latencies = append(latencies, time.Since(start))
		}
	})
	run(stop)
	probing.Wait()
	return latencies, peak
}
