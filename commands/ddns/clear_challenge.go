package ddns

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/report"
)

// ClearChallenge removes daemon d's ACME challenge values from its network
// (DELETE /v1/acme-challenge); the acme-dns accounts' values stay. It is
// idempotent: a daemon without values appends nothing. It is not refused
// on a network being deprovisioned, whose records go away all the same,
// only on one the daemon may not report for (authorizeDaemon).
func (a *App) ClearChallenge(ctx context.Context, d Daemon) error {
	return a.decideForDaemon(ctx, d, nil, report.ClearChallenge{}.Decide)
}
