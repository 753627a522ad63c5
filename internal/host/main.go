package host

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Runner is a service that New has started and Run serves.
type Runner interface {
	Run(ctx context.Context) error
}

// Shared returns the settings every service shares; a service's Config,
// which embeds Config, inherits it.
func (c Config) Shared() Config { return c }

// Main is the whole main function of a service binary. With the single
// argument "healthcheck" it probes a running instance's /healthz (for
// container health checks). Otherwise it loads the configuration, starts the
// service, serves it until SIGINT or SIGTERM, and exits 0 after a clean
// shutdown, 1 when the service failed, 2 when the configuration is invalid.
func Main[C interface{ Shared() Config }, S Runner](name, defaultAddr string, load func() (C, error), start func(context.Context, C, ...Option) (S, error)) {
	if len(os.Args) == 2 && os.Args[1] == HealthcheckArg {
		os.Exit(Healthcheck(defaultAddr))
	}
	os.Exit(serve(name, load, start))
}

func serve[C interface{ Shared() Config }, S Runner](name string, load func() (C, error), start func(context.Context, C, ...Option) (S, error)) int {
	cfg, err := load()
	if err != nil {
		NewLogger(os.Stderr, slog.LevelInfo).Error(name+": cannot start", "err", err)
		return 2
	}
	log := NewLogger(os.Stderr, cfg.Shared().LogLevel)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := start(ctx, cfg, WithLogger(log))
	if err == nil {
		err = svc.Run(ctx)
	}
	if err != nil {
		log.Error(name+" failed", "service", name, "err", err)
		return 1
	}
	return 0
}
