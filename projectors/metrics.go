package projectors

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are one projection's series.
type metrics struct {
	checkpoint, lag, halted            prometheus.Gauge
	rebuildCheckpoint, rebuildProgress prometheus.Gauge
	applied, skipped, failures, resets prometheus.Counter
	applySeconds                       prometheus.Observer
}

const label = "projection"

func newMetrics(reg prometheus.Registerer, projection string) (*metrics, error) {
	gauge := func(name, help string) (*prometheus.GaugeVec, error) {
		return register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "wardnet", Subsystem: "projector", Name: name, Help: help,
		}, []string{label}))
	}
	counter := func(name, help string) (*prometheus.CounterVec, error) {
		return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "wardnet", Subsystem: "projector", Name: name, Help: help,
		}, []string{label}))
	}
	var errs []error
	g := func(name, help string) prometheus.Gauge {
		v, err := gauge(name, help)
		errs = append(errs, err)
		return v.WithLabelValues(projection)
	}
	c := func(name, help string) prometheus.Counter {
		v, err := counter(name, help)
		errs = append(errs, err)
		return v.WithLabelValues(projection)
	}
	hist, err := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "wardnet", Subsystem: "projector", Name: "apply_seconds",
		Help:    "Duration of one apply transaction (a batch of events).",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
	}, []string{label}))
	errs = append(errs, err)
	m := &metrics{
		checkpoint:        g("checkpoint", "Stream sequence of the last event the live read model reflects."),
		lag:               g("lag_events", "Events of the projection's subjects not yet applied."),
		halted:            g("halted", "1 while the projector is stopped at an event it cannot apply."),
		rebuildCheckpoint: g("rebuild_checkpoint", "Stream sequence a running rebuild has reached."),
		rebuildProgress:   g("rebuild_progress_ratio", "Share of the log a running rebuild has applied (0 to 1)."),
		applied:           c("applied_total", "Events applied to the read model."),
		skipped:           c("skipped_total", "Redelivered events skipped because the checkpoint had passed them."),
		failures:          c("errors_total", "Transient errors retried (Postgres or NATS unavailable)."),
		resets:            c("consumer_resets_total", "Consumer resets to the ack floor (takeovers, lost deliveries)."),
		applySeconds:      hist.WithLabelValues(projection),
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("projectors: metrics: %w", err)
	}
	return m, nil
}

// register adds c to reg, or returns the collector already registered
// under the same description, so that several projectors share a family.
func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(T); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
