// Command tenants runs the tenants service. It reads its configuration from
// WARDNET_* environment variables (docs/operations.md) and stops gracefully
// on SIGINT or SIGTERM. "tenants healthcheck" probes a running instance's
// /healthz instead, for container health checks.
//
// Exit codes: 0 after a clean shutdown, 1 when the service failed, 2 when
// the configuration is invalid.
package main

import (
	"context"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/services/tenants"
)

func main() {
	host.Main(tenants.Name, tenants.DefaultHTTPAddr, tenants.LoadConfig,
		func(ctx context.Context, cfg tenants.Config, opts ...host.Option) (*tenants.Service, error) {
			return tenants.New(ctx, cfg, tenants.WithServiceOptions(opts...))
		})
}
