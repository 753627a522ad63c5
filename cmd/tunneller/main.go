// Command tunneller runs the tunneller service. It reads its configuration from
// WARDNET_* environment variables (docs/operations.md) and stops gracefully
// on SIGINT or SIGTERM. "tunneller healthcheck" probes a running instance's
// /healthz instead, for container health checks.
//
// Exit codes: 0 after a clean shutdown, 1 when the service failed, 2 when
// the configuration is invalid.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/wardnet/wardnet-cloud/internal/service"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == service.HealthcheckArg {
		os.Exit(service.Healthcheck(tunneller.DefaultHTTPAddr))
	}
	os.Exit(run())
}

func run() int {
	cfg, err := tunneller.LoadConfig()
	if err != nil {
		service.NewLogger(os.Stderr, slog.LevelInfo).Error("tunneller: cannot start", "err", err)
		return 2
	}
	log := service.NewLogger(os.Stderr, cfg.LogLevel)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := tunneller.New(ctx, cfg, service.WithLogger(log))
	if err == nil {
		err = svc.Run(ctx)
	}
	if err != nil {
		log.Error("tunneller failed", "service", tunneller.Name, "err", err)
		return 1
	}
	return 0
}
