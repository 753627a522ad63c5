// Package tunneller is the tunneller service (regional): the tunnel API for
// daemons and the SNI-passthrough edge, as DESIGN §5 describes. This package
// wires the service as a library, so the tunneller binary and wardnet-dev run
// the same thing. For now it serves only the runtime endpoints of package
// service (/healthz, /readyz, /metrics) on its API address; the data plane
// lives in package edge.
package tunneller

import (
	"context"
	"net"

	"github.com/wardnet/wardnet-cloud/internal/host"
)

// Name is the service's name: its NATS connection name and the "service"
// attribute of its logs.
const Name = "tunneller"

// DefaultHTTPAddr is where the service listens when WARDNET_HTTP_ADDR is
// unset.
const DefaultHTTPAddr = ":8082"

// Config is the service's configuration: the settings every service shares
// (see package host) and, as the service grows, its own. Describe
// renders all of it for the start-up log.
type Config struct {
	host.Config
}

// DefaultConfig is the configuration before the environment is read.
func DefaultConfig() Config {
	c := Config{Config: host.Defaults()}
	c.HTTPAddr = DefaultHTTPAddr
	return c
}

// LoadConfig reads the configuration from the environment (WARDNET_*) over
// the defaults and validates it.
func LoadConfig() (Config, error) { return host.LoadConfig(DefaultConfig()) }

// Service is a started tunneller service.
type Service struct {
	rt *host.Runtime
}

// New validates cfg, connects to NATS and Postgres, applies the migrations,
// ensures the EVENTS stream and binds the HTTP listener (host.Build).
// Callers that already run NATS and Postgres (wardnet-dev, tests) set
// cfg.NATSURL, cfg.DatabaseURL and cfg.HTTPAddr directly.
func New(ctx context.Context, cfg Config, opts ...host.Option) (*Service, error) {
	return host.Build(ctx, Name, cfg, opts, func(rt *host.Runtime) (*Service, error) {
		return &Service{rt: rt}, nil
	})
}

// Run serves until ctx ends, then shuts down gracefully (host.Runtime.Run).
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }

// Close releases a service that will not Run.
func (s *Service) Close() { s.rt.Close() }

// Addr is the address the HTTP listener is bound to.
func (s *Service) Addr() net.Addr { return s.rt.Addr() }
