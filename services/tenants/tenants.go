// Package tenants is the tenants service (global): identity and naming
// (tenants, networks, daemon enrollment), billing and the JWT signer, as
// DESIGN §5 describes. This package wires the service as a library, so the
// tenants binary and wardnet-dev run the same thing. Besides the runtime
// endpoints of package service (/healthz, /readyz, /metrics) it runs the
// audit projection, whose lag is part of /readyz. The domain lives in
// aggregates, projectors and gateways, not here.
package tenants

import (
	"context"
	"net"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/service"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/audit"
)

// Name is the service's name: its NATS connection name and the "service"
// attribute of its logs.
const Name = "tenants"

// DefaultHTTPAddr is where the service listens when WARDNET_HTTP_ADDR is
// unset.
const DefaultHTTPAddr = ":8080"

// Config is the service's configuration: the settings every service shares
// (see package service) and, as the service grows, its own. Describe
// renders all of it for the start-up log.
type Config struct {
	service.Config
}

// DefaultConfig is the configuration before the environment is read.
func DefaultConfig() Config {
	c := Config{Config: service.Defaults()}
	c.HTTPAddr = DefaultHTTPAddr
	return c
}

// LoadConfig reads the configuration from the environment (WARDNET_*) over
// the defaults and validates it.
func LoadConfig() (Config, error) {
	c := DefaultConfig()
	if err := service.Load(&c); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Service is a started tenants service.
type Service struct {
	rt *service.Runtime
}

// New validates cfg, connects to NATS and Postgres, applies the migrations,
// ensures the EVENTS stream and binds the HTTP listener (service.Start).
// Callers that already run NATS and Postgres (wardnet-dev, tests) set
// cfg.NATSURL, cfg.DatabaseURL and cfg.HTTPAddr directly.
func New(ctx context.Context, cfg Config, opts ...service.Option) (*Service, error) {
	opts = append([]service.Option{service.WithDescription(cfg)}, opts...)
	rt, err := service.Start(ctx, Name, cfg.Config, opts...)
	if err != nil {
		return nil, err
	}
	store := events.NewStore(rt.JetStream(), Catalog(), events.WithSource("/"+Name))
	if err := runProjections(rt, store); err != nil {
		rt.Close()
		return nil, err
	}
	return &Service{rt: rt}, nil
}

// Catalog is the catalogue of the event types the service reads and
// writes.
func Catalog() *events.Catalog { return events.NewCatalog() }

// runProjections adds the service's projectors as components, each with a
// readiness check on its lag.
func runProjections(rt *service.Runtime, store *events.Store) error {
	for _, p := range []projectors.Projection{audit.New()} {
		proj, err := projectors.New(rt.Pool(), store, p, projectors.Options{
			Registerer: rt.Registry(),
			Logger:     rt.Logger(),
		})
		if err != nil {
			return err
		}
		rt.AddComponent("projector."+p.Name(), service.ComponentFunc(proj.Serve))
		rt.AddReadiness("projection."+p.Name(), proj.Ready(rt.Config().ReadyMaxLag))
	}
	return nil
}

// Run serves until ctx ends, then shuts down gracefully (service.Runtime.Run).
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }

// Close releases a service that will not Run.
func (s *Service) Close() { s.rt.Close() }

// Addr is the address the HTTP listener is bound to.
func (s *Service) Addr() net.Addr { return s.rt.Addr() }
