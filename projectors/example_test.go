package projectors_test

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/audit"
)

// A service runs each projector until it stops, serves its readiness check
// on /readyz, and lets operators rebuild through RequestRebuild (wardctl
// projections rebuild audit).
func Example() {
	var (
		ctx   context.Context // the service's lifetime
		pool  *pgxpool.Pool   // migrated with schema.Migrate
		store *events.Store   // events.Open(...)
		reg   = prometheus.NewRegistry()
	)
	p, err := projectors.New(pool, store, audit.New(), projectors.Options{Registerer: reg})
	if err != nil {
		panic(err)
	}
	ready := p.Ready(10_000) // add to the /readyz checks
	_ = ready
	if err := p.Run(ctx); err != nil {
		// A *HaltError: an event this build cannot apply. The projector
		// stays stopped (and not ready) until a build that can runs.
		slog.Error("projector stopped", "projector", p.Name(), "err", err)
	}
}
