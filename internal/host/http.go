package host

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Readiness is the body of /readyz: Status is "ready" or "unavailable",
// Checks maps every check to "ok" or its error, Failed names the failed
// ones.
type Readiness struct {
	Status string            `json:"status"`
	Failed []string          `json:"failed,omitempty"`
	Checks map[string]string `json:"checks"`
}

func (r *Runtime) routes() {
	r.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		rd := r.readiness(req.Context())
		code := http.StatusOK
		if rd.Status != "ready" {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, rd)
	})
	r.mux.Handle("GET /metrics", promhttp.HandlerFor(r.registry, promhttp.HandlerOpts{}))
}

// readiness runs every readiness check: the NATS connection, a Postgres
// ping and those registered with AddReadiness.
func (r *Runtime) readiness(ctx context.Context) Readiness {
	r.mu.Lock()
	checks := append([]readinessCheck{
		{name: "nats", check: r.natsConnected},
		{name: "postgres", check: r.pool.Ping},
	}, r.checks...)
	r.mu.Unlock()

	results := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, r.cfg.ReadyTimeout)
			defer cancel()
			results[i] = c.check(cctx)
		})
	}
	wg.Wait()

	rd := Readiness{Status: "ready", Checks: make(map[string]string, len(checks))}
	for i, c := range checks {
		if results[i] == nil {
			rd.Checks[c.name] = "ok"
			continue
		}
		rd.Checks[c.name] = results[i].Error()
		rd.Failed = append(rd.Failed, c.name)
	}
	if len(rd.Failed) > 0 {
		rd.Status = "unavailable"
		slices.Sort(rd.Failed)
	}
	r.ready.report(r, rd)
	return rd
}

func (r *Runtime) natsConnected(context.Context) error {
	if s := r.nc.Status(); s != nats.CONNECTED {
		return fmt.Errorf("connection %s", s)
	}
	return nil
}

// readyState remembers the last readiness outcome so that only changes are
// logged; probes run every few seconds.
type readyState struct{ unready atomic.Bool }

func (s *readyState) report(r *Runtime, rd Readiness) {
	unready := rd.Status != "ready"
	if s.unready.Swap(unready) == unready {
		return
	}
	if unready {
		r.log.Warn("not ready", "failed", rd.Failed, "checks", rd.Checks)
	} else {
		r.log.Info("ready again")
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
