package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BudgetStream is the JetStream stream that holds every Budget's spending.
const BudgetStream = "RATEBUDGET"

// budgetPrefix is the prefix of every subject of BudgetStream.
const budgetPrefix = "wardnet.rb."

// Budget counts events of one kind (failed guesses of one purpose) across
// every replica in a sliding window, and tells when their number has
// reached the limit's Max. It protects a resource from many clients at
// once, where a Limiter protects it from each client alone.
//
// Unlike a Limiter it is append-only: each Spend is one message on the
// budget's subject with a per-message TTL of the window, and the count is
// the number of messages the server still holds there. Any number of
// writers spend without contention, and the window runs on the server's
// clock. The price is exactness: callers that check and then spend can
// overshoot Max by the number of checks in flight, so a Budget is a brake
// behind exact per-client Limiters, not a bound of its own.
type Budget struct {
	limit  Limit
	subj   string
	js     jetstream.JetStream
	stream jetstream.Stream
}

// NewBudget creates BudgetStream, or updates its configuration, and
// returns a Budget for limit.
func NewBudget(ctx context.Context, js jetstream.JetStream, limit Limit, replicas int) (*Budget, error) {
	if err := limit.validate(); err != nil {
		return nil, err
	}
	if replicas <= 0 {
		replicas = 1
	}
	st, err := js.CreateOrUpdateStream(ctx, BudgetStreamConfig(replicas))
	if err != nil {
		return nil, fmt.Errorf("ratelimit: stream %s: %w", BudgetStream, err)
	}
	return &Budget{limit: limit, subj: budgetPrefix + limit.Name, js: js, stream: st}, nil
}

// BudgetStreamConfig is the configuration NewBudget gives BudgetStream.
func BudgetStreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        BudgetStream,
		Description: "cluster-wide budgets of failures in a sliding window (internal/ratelimit)",
		Subjects:    []string{budgetPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      MaxWindow + time.Hour,
		AllowMsgTTL: true,
		AllowDirect: true,
	}
}

// Limit returns the limit b counts against.
func (b *Budget) Limit() Limit { return b.limit }

// Spent is how many events the window holds now.
func (b *Budget) Spent(ctx context.Context) (uint64, error) {
	info, err := b.stream.Info(ctx, jetstream.WithSubjectFilter(b.subj))
	if err != nil {
		return 0, fmt.Errorf("ratelimit budget %s: %w", b.limit.Name, err)
	}
	return info.State.Subjects[b.subj], nil
}

// Exhausted reports whether the window holds Max events or more, and if
// so, how long until the oldest leaves it.
func (b *Budget) Exhausted(ctx context.Context) (exhausted bool, retryAfter time.Duration, err error) {
	spent, err := b.Spent(ctx)
	if err != nil || spent < uint64(b.limit.Max) {
		return false, 0, err
	}
	oldest, err := b.stream.GetMsg(ctx, 1, jetstream.WithGetMsgSubject(b.subj))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, 0, nil // expired meanwhile
	}
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit budget %s: oldest: %w", b.limit.Name, err)
	}
	return true, max(time.Until(oldest.Time.Add(b.limit.Window)), time.Second), nil
}

// Spend records one event, which counts for the limit's window.
func (b *Budget) Spend(ctx context.Context) error {
	msg := nats.NewMsg(b.subj)
	if _, err := b.js.PublishMsg(ctx, msg, jetstream.WithMsgTTL(ttl(b.limit.Window))); err != nil {
		return fmt.Errorf("ratelimit budget %s: spend: %w", b.limit.Name, err)
	}
	return nil
}
