package cloudflare

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// BudgetConfig sizes a Budget: Requests per Per on average, with at most
// Burst requests at once. No window of length Per ever holds more than
// Requests + Burst requests, so keep that sum under Cloudflare's 1 200 per
// 5 minutes across every process that shares the API token.
type BudgetConfig struct {
	Requests int
	Per      time.Duration
	Burst    int
}

// AccountLimit is Cloudflare's rate limit: requests per 5 minutes per user
// (API token holder), across every client of the account.
const AccountLimit = 1200

// DefaultBudget leaves Cloudflare's 1 200 requests per 5 minutes room for
// people and tools using the same account: at most 1 020 in any 5 minutes.
var DefaultBudget = BudgetConfig{Requests: 1000, Per: 5 * time.Minute, Burst: 20}

// Validate reports whether the configuration makes a usable bucket.
func (c BudgetConfig) Validate() error {
	if c.Requests <= 0 || c.Per <= 0 || c.Burst <= 0 {
		return fmt.Errorf("cloudflare budget %d per %s burst %d: all must be positive", c.Requests, c.Per, c.Burst)
	}
	return nil
}

// Budget is a token bucket shared by every request of the process to one
// Cloudflare account. Waiters are served in the order they arrive.
type Budget struct {
	clock Clock
	rate  float64 // tokens per second
	burst float64

	mu      sync.Mutex // guards the fields below
	tokens  float64    // may go negative: requests already promised a future slot
	last    time.Time  // when tokens was last brought up to date
	blocked time.Time  // no request before this (Cloudflare said 429)
}

// NewBudget returns a full bucket sized by cfg on clock (nil means the
// system clock).
func NewBudget(cfg BudgetConfig, clock Clock) (*Budget, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = SystemClock{}
	}
	return &Budget{
		clock: clock, rate: float64(cfg.Requests) / cfg.Per.Seconds(), burst: float64(cfg.Burst),
		tokens: float64(cfg.Burst), last: clock.Now(),
	}, nil
}

// Wait takes one token, waiting as long as needed, or returns ctx's error.
func (b *Budget) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// A 429 seen by another request while this one waits moves the block
	// later; check again after each sleep.
	for wait := b.reserve(); wait > 0; wait = b.untilUnblocked() {
		if err := b.clock.Sleep(ctx, wait); err != nil {
			b.release()
			return fmt.Errorf("wait for cloudflare rate budget: %w", err)
		}
	}
	return nil
}

func (b *Budget) untilUnblocked() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blocked.Sub(b.clock.Now())
}

// reserve takes a token now and returns how long until it may be used.
func (b *Budget) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	b.tokens--
	var wait time.Duration
	if b.tokens < 0 {
		// Round up so that a request never starts before its token exists.
		wait = time.Duration(-b.tokens / b.rate * float64(time.Second))
		wait += time.Nanosecond
	}
	if until := b.blocked.Sub(now); until > wait {
		wait = until
	}
	return wait
}

// release gives back a token whose wait was abandoned.
func (b *Budget) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.burst, b.tokens+1)
}

// BlockUntil holds every request back until t (Cloudflare answered 429
// with Retry-After). Requests already waiting resume no earlier than t.
func (b *Budget) BlockUntil(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.After(b.blocked) {
		b.blocked = t
	}
}
