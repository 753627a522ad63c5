// Command tunneller runs the tunneller service: one edge node of a region,
// with the tunnel endpoint daemons hold their tunnels through and the SNI
// listeners that route inbound TLS to them (docs/tunnels.md). It reads its
// configuration from WARDNET_* environment variables (docs/operations.md)
// and on SIGINT or SIGTERM drains its tunnels and stops. "tunneller
// healthcheck" probes a running instance's /healthz instead, for container
// health checks.
//
// Exit codes: 0 after a clean shutdown, 1 when the service failed, 2 when
// the configuration is invalid.
package main

import (
	"context"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

func main() {
	host.Main(tunneller.Name, tunneller.DefaultHTTPAddr, tunneller.LoadConfig,
		func(ctx context.Context, cfg tunneller.Config, opts ...host.Option) (*tunneller.Service, error) {
			return tunneller.New(ctx, cfg, tunneller.WithServiceOptions(opts...))
		})
}
