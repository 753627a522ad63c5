// Command wardnet-dev runs the whole of Wardnet Cloud in one process for
// development: an embedded NATS server with JetStream, a private Postgres
// started from the system's binaries (unless WARDNET_DATABASE_URL names a
// server), and the tenants, ddns and tunneller services on localhost, ddns
// keeping the records of region "local" under wardnet.test at a fake
// Cloudflare in the same process (GET /dev/dns on the ddns port lists
// them). It keeps everything under --data-dir, so a restart finds the same
// data, and on SIGINT or SIGTERM it stops the services, then NATS, then
// Postgres.
//
//	go run ./cmd/wardnet-dev
//	go run ./cmd/wardnet-dev --tenants-addr 127.0.0.1:9080 --data-dir /tmp/wardnet-dev
//
// Exit codes: 0 after a clean shutdown, 1 when something failed, 2 for bad
// flags or environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/wardnet/wardnet-cloud/internal/host"
)

// config is wardnet-dev's configuration: flags for where things run, the
// environment for what it shares with the services.
type config struct {
	DataDir       string     `ignored:"true"`
	NATSPort      int        `ignored:"true"`
	PostgresPort  int        `ignored:"true"`
	TenantsAddr   string     `ignored:"true"`
	DDNSAddr      string     `ignored:"true"`
	TunnellerAddr string     `ignored:"true"`
	TunnelHTTPS   string     `ignored:"true"`
	TunnelDoT     string     `ignored:"true"`
	DatabaseURL   host.DSN   `envconfig:"WARDNET_DATABASE_URL"`
	LogLevel      slog.Level `envconfig:"WARDNET_LOG_LEVEL"`
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "wardnet-dev:", err)
		return 2
	}
	log := host.NewLogger(stderr, cfg.LogLevel)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, a second one kills the process at once (the
	// kernel then stops Postgres, see package pgcluster).
	context.AfterFunc(ctx, stop)

	if err := runDev(ctx, cfg, stdout, log); err != nil {
		// For a person at a terminal: the message may span lines.
		fmt.Fprintln(stderr, "wardnet-dev:", err)
		return 1
	}
	return 0
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	cfg := config{LogLevel: slog.LevelInfo}
	fs := flag.NewFlagSet("wardnet-dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DataDir, "data-dir", ".wardnet-dev", "directory for the NATS and Postgres data, kept across runs")
	fs.IntVar(&cfg.NATSPort, "nats-port", 14222, "NATS client port on 127.0.0.1")
	fs.IntVar(&cfg.PostgresPort, "postgres-port", 15432, "port of the private Postgres on 127.0.0.1 (a free one when taken; 0 picks one)")
	fs.StringVar(&cfg.TenantsAddr, "tenants-addr", "127.0.0.1:8080", "listen address of the tenants service")
	fs.StringVar(&cfg.DDNSAddr, "ddns-addr", "127.0.0.1:8081", "listen address of the ddns service")
	fs.StringVar(&cfg.TunnellerAddr, "tunneller-addr", "127.0.0.1:8082", "listen address of the tunneller API")
	fs.StringVar(&cfg.TunnelHTTPS, "tunnel-https-addr", "127.0.0.1:8443", "listen address of the edge's SNI listener for port 443 (no PROXY header)")
	fs.StringVar(&cfg.TunnelDoT, "tunnel-dot-addr", "127.0.0.1:8853", "listen address of the edge's SNI listener for port 853 (no PROXY header)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: wardnet-dev [flags]

Runs NATS, Postgres and the tenants, ddns and tunneller services in one
process. Environment: WARDNET_DATABASE_URL uses that Postgres server instead of
a private one (databases tenants, ddns and tunneller are created on it);
WARDNET_LOG_LEVEL is debug, info, warn or error.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
	}
	if err := host.Load(&cfg); err != nil {
		return cfg, err
	}
	if cfg.NATSPort < 1 || cfg.NATSPort > 65535 {
		return cfg, fmt.Errorf("--nats-port must be 1 to 65535, got %d", cfg.NATSPort)
	}
	if cfg.PostgresPort < 0 || cfg.PostgresPort > 65535 {
		return cfg, fmt.Errorf("--postgres-port must be 0 to 65535, got %d", cfg.PostgresPort)
	}
	if cfg.DataDir == "" {
		return cfg, errors.New("--data-dir must not be empty")
	}
	return cfg, nil
}
