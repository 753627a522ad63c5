package dns_test

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
)

// How a ddns service runs a region's DNS side: the projection under the
// projector runtime and the reconciler beside it, in every replica. One
// replica applies and one reconciles; the others stand by.
func Example() {
	var (
		ctx  context.Context     // the service's lifetime
		pool *pgxpool.Pool       // the service's database, migrations applied
		js   jetstream.JetStream // EVENTS ensured
		cf   *cloudflare.Client  // the zone.Zone holding cfg.Zone, with the process's budget
		log  *slog.Logger
	)
	// The store's catalogue must know the network and dns events (the
	// tenants catalogue holds network's: register each package once).
	catalog := events.NewCatalog()
	network.Register(catalog)
	report.Register(catalog)
	store := events.NewStore(js, catalog)

	cfg := dns.Config{Region: "euc", Zone: "my.wardnet.services"}
	proj, err := projectors.New(pool, store, dns.NewProjection(cfg), projectors.Options{Logger: log})
	if err != nil {
		return
	}
	rec, err := dns.NewReconciler(pool, store, cf, dns.ReconcilerConfig{Config: cfg, Logger: log})
	if err != nil {
		return
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return proj.Serve(ctx) })
	g.Go(func() error { return rec.Run(ctx) })
	_ = g.Wait()
}
