// Command tunneller runs the tunneller service. It reads its configuration from
// WARDNET_* environment variables (docs/operations.md) and stops gracefully
// on SIGINT or SIGTERM. "tunneller healthcheck" probes a running instance's
// /healthz instead, for container health checks.
//
// Exit codes: 0 after a clean shutdown, 1 when the service failed, 2 when
// the configuration is invalid.
package main

import (
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

func main() {
	host.Main(tunneller.Name, tunneller.DefaultHTTPAddr, tunneller.LoadConfig, tunneller.New)
}
