// Package ddns is the ddns service (regional): the daemon API that takes a
// network's public address and ACME challenge, and the stock clients'
// (dyndns2, acme-dns) with an update credential (gateways/inbound/ddnsapi, over the
// commands of commands/ddns and the update credentials projection
// of projectors/credentials), and the DNS projection and reconciler
// (projectors/dns) that turn the events of its region into desired records
// and keep Cloudflare equal to them (docs/ddns.md). This
// package wires the service as a library, so the ddns binary and
// wardnet-dev run the same thing, besides the runtime endpoints of package
// service (/healthz, /readyz, /metrics).
//
// Daemon tokens are verified with the tenants service's JWKS
// (WARDNET_JWKS_URL), which the service follows for key rotations; /readyz
// fails until it has been fetched once.
package ddns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	app "github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/inbound/ddnsapi"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
)

// Service is a started ddns service.
type Service struct {
	rt      *host.Runtime
	options options
}

// Option adjusts how New builds the service, for tests and wardnet-dev.
type Option func(*options)

type options struct {
	service    []host.Option
	proj       projectors.Options
	cfRetry    cloudflare.RetryPolicy
	cfBudget   *cloudflare.BudgetConfig
	reconciler dns.ReconcilerConfig
	stock      struct{ clients, updates ratelimit.Limit }
}

// WithServiceOptions passes options to the runtime (host.Start).
func WithServiceOptions(o ...host.Option) Option {
	return func(opts *options) { opts.service = append(opts.service, o...) }
}

// WithProjectorOptions tunes the DNS projector (tests shorten its timings).
func WithProjectorOptions(p projectors.Options) Option { return func(o *options) { o.proj = p } }

// WithReconcilerOptions tunes the DNS reconciler (tests shorten its poll
// and backoffs). Its Config and DriftInterval come from the
// configuration.
func WithReconcilerOptions(r dns.ReconcilerConfig) Option {
	return func(o *options) { o.reconciler = r }
}

// WithCloudflareRetry replaces cloudflare.DefaultRetry (tests shorten it).
func WithCloudflareRetry(p cloudflare.RetryPolicy) Option {
	return func(o *options) { o.cfRetry = p }
}

// WithCloudflareBudget replaces the budget of WARDNET_CLOUDFLARE_BUDGET,
// without its bounds: benchmarks measure without Cloudflare's rate limit.
func WithCloudflareBudget(b cloudflare.BudgetConfig) Option {
	return func(o *options) { o.cfBudget = &b }
}

// WithStockLimits replaces the stock clients' rate limits per client
// address and per credential (ratelimit.StockClients and StockUpdates):
// tests of the limits shrink them, other tests widen them.
func WithStockLimits(clients, updates ratelimit.Limit) Option {
	return func(o *options) { o.stock.clients, o.stock.updates = clients, updates }
}

// New validates cfg, connects to NATS and Postgres, applies the migrations,
// ensures the streams and binds the listeners. Callers that already run
// NATS and Postgres (wardnet-dev, tests) set cfg.NATSURL, cfg.DatabaseURL
// and cfg.HTTPAddr directly.
func New(ctx context.Context, cfg Config, opts ...Option) (*Service, error) {
	var o options
	o.stock.clients, o.stock.updates = ratelimit.StockClients, ratelimit.StockUpdates
	for _, opt := range opts {
		opt(&o)
	}
	return host.Build(ctx, Name, cfg, o.service, func(rt *host.Runtime) (*Service, error) {
		s := &Service{rt: rt, options: o}
		return s, s.wire(ctx, cfg)
	})
}

func (s *Service) wire(ctx context.Context, cfg Config) error {
	rt := s.rt
	log := rt.Logger()
	region, err := cfg.region()
	if err != nil {
		return err
	}
	store := events.NewStore(rt.JetStream(), Catalog(), events.WithSource("/"+Name))

	cf, err := s.cloudflareClient(cfg)
	if err != nil {
		return err
	}
	if err := s.runDNS(store, cf, cfg); err != nil {
		return err
	}
	creds, err := s.runCredentials(store)
	if err != nil {
		return err
	}
	clientLimit, err := ratelimit.New(ctx, rt.JetStream(), s.options.stock.clients, ratelimit.Options{Replicas: cfg.StreamReplicas})
	if err != nil {
		return err
	}
	updateLimit, err := ratelimit.New(ctx, rt.JetStream(), s.options.stock.updates, ratelimit.Options{Replicas: cfg.StreamReplicas})
	if err != nil {
		return err
	}
	cmds, err := app.New(app.Deps{Store: store, Pool: rt.Pool(), Region: region, Logger: log,
		Zone: cfg.DNSZone, Credentials: creds, ClientLimit: clientLimit, UpdateLimit: updateLimit, Passwords: rt.Passwords()})
	if err != nil {
		return err
	}

	keys := tokens.NewRemoteKeys(cfg.JWKSURL, tokens.RemoteOptions{Logger: log})
	rt.AddComponent("jwks", keys)
	rt.AddReadiness("jwks", func(context.Context) error {
		if keys.Keys().Len() == 0 {
			return errors.New("no token keys fetched yet from WARDNET_JWKS_URL")
		}
		return nil
	})
	popVerifier, err := pop.NewVerifier(ctx, rt.JetStream(), pop.Options{Replicas: cfg.StreamReplicas})
	if err != nil {
		return err
	}
	auth := authn.New(tokens.NewVerifier(tokens.AudienceDDNS, keys), popVerifier, authn.Options{Logger: log})
	api, err := ddnsapi.New(ddnsapi.Config{Commands: cmds, Auth: auth, Keys: keys, Logger: log})
	if err != nil {
		return err
	}
	return s.rt.ServeAPI(cfg.PublicAPI, api)
}

// cloudflareClient is the client of the region's zone, with the token from
// its file and the process's rate budget.
func (s *Service) cloudflareClient(cfg Config) (*cloudflare.Client, error) {
	token, err := cfg.cloudflareToken()
	if err != nil {
		return nil, err
	}
	bc := cfg.budget()
	if s.options.cfBudget != nil {
		bc = *s.options.cfBudget
	}
	budget, err := cloudflare.NewBudget(bc, nil)
	if err != nil {
		return nil, err
	}
	cf, err := cloudflare.New(cloudflare.Config{
		ZoneID:  cfg.CloudflareZoneID,
		Token:   token,
		BaseURL: cfg.CloudflareURL,
		Retry:   s.options.cfRetry,
		Budget:  budget,
		Logger:  s.rt.Logger(),
	})
	if err != nil {
		return nil, fmt.Errorf("cloudflare: %w", err)
	}
	return cf, nil
}

// Catalog is the catalogue of the event types the service reads and
// writes: the networks' (to know their slug, region and lifecycle) and
// their reports'.
func Catalog() *events.Catalog {
	c := events.NewCatalog()
	app.Catalog(c)
	return c
}

// Handle adds a route to the ops listener (wardnet-dev mounts GET /dev/dns
// there). It must be called before Run.
func (s *Service) Handle(pattern string, h http.Handler) { s.rt.Handle(pattern, h) }

// Run serves until ctx ends, then shuts down gracefully (host.Runtime.Run).
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }

// Close releases a service that will not Run.
func (s *Service) Close() { s.rt.Close() }

// Addr is the address of the ops listener (/healthz, /readyz, /metrics),
// which also serves the API when WARDNET_API_ADDR is unset.
func (s *Service) Addr() net.Addr { return s.rt.Addr() }

// APIAddr is the address of the public API.
func (s *Service) APIAddr() net.Addr { return s.rt.APIAddr() }
