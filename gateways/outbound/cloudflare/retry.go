package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/dns"
)

// RetryPolicy bounds the retries of one call. Cloudflare is retried on
// transport errors, 5xx and 429; other answers are final.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 means no retry.
	MaxAttempts int
	// BaseDelay is the backoff before the first retry; it doubles each
	// retry up to MaxDelay. Each wait is drawn uniformly from [d/2, d].
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter: a 429 asking for a longer wait is returned at once
	// (as ErrRateLimited with its RetryAfter) instead of waited out.
	MaxRetryAfter time.Duration
}

// DefaultRetry: 4 attempts, 500 ms doubling to at most 10 s; a Retry-After
// of up to 5 minutes (Cloudflare's block after the global limit) is waited.
var DefaultRetry = RetryPolicy{MaxAttempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 10 * time.Second, MaxRetryAfter: 5 * time.Minute}

// Validate reports whether the policy is usable.
func (p RetryPolicy) Validate() error {
	if p.MaxAttempts < 1 || p.BaseDelay < 0 || p.MaxDelay < p.BaseDelay || p.MaxRetryAfter < 0 {
		return fmt.Errorf("cloudflare retry policy %+v: need MaxAttempts >= 1 and 0 <= BaseDelay <= MaxDelay", p)
	}
	return nil
}

// backoff is the wait before retry number n (1 for the first retry).
func (p RetryPolicy) backoff(n int, rnd func() float64) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return d/2 + time.Duration(rnd()*float64(d/2))
}

// call is one request through the library; raw receives the HTTP answer
// when there is one.
type call func(ctx context.Context, raw **http.Response) error

// do runs c under the budget and the retry policy.
func (c *Client) do(ctx context.Context, op string, fn call) error {
	for attempt := 1; ; attempt++ {
		if err := c.budget.Wait(ctx); err != nil {
			return fmt.Errorf("cloudflare %s: %w", op, err)
		}
		var raw *http.Response
		err := fn(ctx, &raw)
		if err == nil {
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("cloudflare %s: %w", op, ctxErr)
		}
		err, retry := classify(op, err, raw, c.clock.Now())
		var apiErr *APIError
		status := 0
		if errors.As(err, &apiErr) {
			status = apiErr.StatusCode
			if apiErr.retryAfter > 0 {
				if apiErr.retryAfter > c.retry.MaxRetryAfter {
					return err
				}
				c.budget.BlockUntil(c.clock.Now().Add(apiErr.retryAfter))
			}
		}
		if !retry {
			return err
		}
		if attempt >= c.retry.MaxAttempts {
			return fmt.Errorf("cloudflare %s: giving up after %d attempts: %w", op, attempt, err)
		}
		wait := c.retry.backoff(attempt, c.rand)
		c.log.LogAttrs(ctx, slog.LevelWarn, "cloudflare request failed, will retry",
			slog.String("op", op), slog.Int("attempt", attempt), slog.Int("status", status),
			slog.Duration("backoff", wait), slog.String("error", err.Error()))
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("cloudflare %s: %w", op, err)
		}
	}
}

// classify turns the library's error into ours and says whether to retry.
func classify(op string, err error, raw *http.Response, now time.Time) (error, bool) {
	if raw == nil {
		// No answer: connection refused, reset, timed out. The library's
		// error names the URL, never the Authorization header.
		return fmt.Errorf("cloudflare %s: %w", op, err), true
	}
	if raw.StatusCode < 400 {
		return fmt.Errorf("cloudflare %s: read answer (status %d): %w", op, raw.StatusCode, err), false
	}
	apiErr := &APIError{Op: op, StatusCode: raw.StatusCode}
	var cfErr *dns.Error
	if errors.As(err, &cfErr) {
		for _, d := range cfErr.Errors {
			apiErr.Errors = append(apiErr.Errors, ErrorDetail{Code: int(d.Code), Message: d.Message})
		}
	}
	if raw.StatusCode == http.StatusTooManyRequests {
		apiErr.retryAfter = parseRetryAfter(raw.Header.Get("Retry-After"), now)
	}
	return apiErr, apiErr.retryable()
}

// parseRetryAfter reads delay-seconds or an HTTP date; zero when absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
