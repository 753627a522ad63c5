// Command ddns runs the ddns service. It reads its configuration from
// WARDNET_* environment variables (docs/operations.md) and stops gracefully
// on SIGINT or SIGTERM. "ddns healthcheck" probes a running instance's
// /healthz instead, for container health checks.
//
// Exit codes: 0 after a clean shutdown, 1 when the service failed, 2 when
// the configuration is invalid.
package main

import (
	"context"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/services/ddns"
)

func main() {
	host.Main(ddns.Name, ddns.DefaultHTTPAddr, ddns.LoadConfig,
		func(ctx context.Context, cfg ddns.Config, opts ...host.Option) (*ddns.Service, error) {
			return ddns.New(ctx, cfg, ddns.WithServiceOptions(opts...))
		})
}
