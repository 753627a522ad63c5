package passwords

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrBusy is returned when every slot stayed taken for MaxWait, or when
// MaxWaiting callers were waiting already: the caller should answer 503
// with Retry-After instead of queueing without end.
var ErrBusy = errors.New("passwords: too many password hashes in progress")

// DefaultMaxWait is how long a computation waits for a slot.
const DefaultMaxWait = 2 * time.Second

// WaitingPerSlot is how many computations may wait per slot: a slot gets
// through one in 30 to 60 ms, so about this many in DefaultMaxWait.
const WaitingPerSlot = 32

// Hasher runs argon2id computations (hashes and verifications) under a
// limit of Slots at once, so that their memory stays bounded at about
// Slots × Memory KiB (19 MiB each) however many requests ask for one. A
// computation waits at most DefaultMaxWait for a slot, and at most
// WaitingPerSlot × Slots computations wait at once (about what the slots
// get through in DefaultMaxWait); beyond either it fails with ErrBusy. A
// waiting computation holds no argon2id memory. Slots beyond the CPUs buy
// nothing: argon2id is CPU-bound.
//
// A service has one Hasher, shared by everything it hashes with. It is
// safe for concurrent use, and a prometheus.Collector of its counts.
type Hasher struct {
	slots      chan struct{}
	maxWaiting int64
	maxWait    time.Duration

	waiting  atomic.Int64
	computed atomic.Uint64 // computations run
	refused  atomic.Uint64 // ErrBusy answers
}

// NewHasher returns a Hasher with slots computations at once; slots < 1
// means DefaultSlots.
func NewHasher(slots int) *Hasher {
	if slots < 1 {
		slots = DefaultSlots()
	}
	return &Hasher{
		slots:      make(chan struct{}, slots),
		maxWaiting: WaitingPerSlot * int64(slots),
		maxWait:    DefaultMaxWait,
	}
}

// DefaultSlots is half the CPUs the process may use (GOMAXPROCS), at
// least one: a burst of hashing then never takes every CPU from the
// requests that need none (docs/benchmarks.md measures what it does to
// their latency).
func DefaultSlots() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// Slots is how many computations run at once.
func (h *Hasher) Slots() int { return cap(h.slots) }

// Computed is how many argon2id computations h has run.
func (h *Hasher) Computed() uint64 { return h.computed.Load() }

// compute runs f in a slot.
func (h *Hasher) compute(ctx context.Context, f func()) error {
	select {
	case h.slots <- struct{}{}:
	default:
		if err := h.wait(ctx); err != nil {
			return err
		}
	}
	defer func() { <-h.slots }()
	h.computed.Add(1)
	f()
	return nil
}

// wait takes a slot, waiting at most maxWait among at most maxWaiting.
func (h *Hasher) wait(ctx context.Context) error {
	if h.waiting.Add(1) > h.maxWaiting {
		h.waiting.Add(-1)
		h.refused.Add(1)
		return ErrBusy
	}
	defer h.waiting.Add(-1)
	timer := time.NewTimer(h.maxWait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-timer.C:
		h.refused.Add(1)
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

var (
	descComputed = prometheus.NewDesc("wardnet_password_hashes_total",
		"argon2id computations (hashes and verifications) run.", nil, nil)
	descRefused = prometheus.NewDesc("wardnet_password_hashes_refused_total",
		"argon2id computations refused because every slot stayed taken (answered 503).", nil, nil)
	descInUse = prometheus.NewDesc("wardnet_password_hash_slots_in_use",
		"argon2id computations running now.", nil, nil)
	descWaiting = prometheus.NewDesc("wardnet_password_hashes_waiting",
		"argon2id computations waiting for a slot.", nil, nil)
)

// Describe implements prometheus.Collector.
func (h *Hasher) Describe(ch chan<- *prometheus.Desc) {
	ch <- descComputed
	ch <- descRefused
	ch <- descInUse
	ch <- descWaiting
}

// Collect implements prometheus.Collector.
func (h *Hasher) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descComputed, prometheus.CounterValue, float64(h.computed.Load()))
	ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(h.refused.Load()))
	ch <- prometheus.MustNewConstMetric(descInUse, prometheus.GaugeValue, float64(len(h.slots)))
	ch <- prometheus.MustNewConstMetric(descWaiting, prometheus.GaugeValue, float64(h.waiting.Load()))
}
