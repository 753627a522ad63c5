package projectors

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/events"
)

// Options tune a Projector. The zero value is a production configuration;
// tests shorten the timings.
type Options struct {
	// Instance names this process in logs and rebuild claims. Default:
	// host name and process id.
	Instance string
	// MaxBatch bounds the events applied in one transaction. Default 1000.
	MaxBatch int
	// AckWait is how long JetStream waits for an ack before redelivering.
	// It must exceed the time one batch takes. Default 30s.
	AckWait time.Duration
	// PinnedTTL is how long the active instance may go without pulling
	// before the server hands the pin to a standby: the takeover delay
	// after a crash. A batch that takes longer lets a standby take over
	// (harmless, but wasted work). At least 2s. Default 30s.
	PinnedTTL time.Duration
	// LagInterval is how often the lag and checkpoint metrics are
	// refreshed. Default 5s.
	LagInterval time.Duration
	// RebuildPoll is how often a running projector looks for a rebuild
	// request. Default 5s.
	RebuildPoll time.Duration
	// RebuildLease is how long a rebuild's claim survives without progress
	// before another instance may take the rebuild over. Default 1m.
	RebuildLease time.Duration
	// RetryMin and RetryMax bound the backoff after a transient error.
	// Defaults 100ms and 30s.
	RetryMin, RetryMax time.Duration
	// Registerer receives the metrics; nil registers nothing. Projectors
	// sharing a registerer share the metric families.
	Registerer prometheus.Registerer
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// Test hooks, set through export_test.go.
	afterCommit  func(checkpoint events.StreamSeq) error // after a commit, before the acks
	rebuildBatch func(checkpoint events.StreamSeq)       // after each committed rebuild batch
}

func (o Options) withDefaults() (Options, error) {
	if o.Instance == "" {
		host, _ := os.Hostname()
		o.Instance = host + ":" + strconv.Itoa(os.Getpid())
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = 1000
	}
	def(&o.AckWait, 30*time.Second)
	def(&o.PinnedTTL, 30*time.Second)
	def(&o.LagInterval, 5*time.Second)
	def(&o.RebuildPoll, 5*time.Second)
	def(&o.RebuildLease, time.Minute)
	def(&o.RetryMin, 100*time.Millisecond)
	def(&o.RetryMax, 30*time.Second)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	switch {
	case o.MaxBatch < 1 || o.MaxBatch > events.MaxAppend*10:
		return o, fmt.Errorf("projectors: MaxBatch %d out of range", o.MaxBatch)
	case o.PinnedTTL < 2*time.Second:
		// The active instance renews its pull every pullExpiry (at least 1s,
		// nats.go's minimum); the pin must outlive that.
		return o, fmt.Errorf("projectors: PinnedTTL %v is below 2s", o.PinnedTTL)
	case o.RetryMin > o.RetryMax:
		return o, fmt.Errorf("projectors: RetryMin %v exceeds RetryMax %v", o.RetryMin, o.RetryMax)
	}
	return o, nil
}

// pullExpiry is how long one pull request waits; the active instance sends
// a new one at least this often, which keeps its pin.
func (o Options) pullExpiry() time.Duration {
	return max(o.PinnedTTL/3, time.Second)
}

// backoff doubles a delay from min to max.
type backoff struct {
	min, max, cur time.Duration
}

func newBackoff(o Options) *backoff {
	return &backoff{min: o.RetryMin, max: o.RetryMax, cur: o.RetryMin}
}

func (b *backoff) reset() { b.cur = b.min }

// wait sleeps for the current delay, or until ctx ends.
func (b *backoff) wait(ctx context.Context) error {
	t := time.NewTimer(b.cur)
	defer t.Stop()
	b.cur = min(b.cur*2, b.max)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
