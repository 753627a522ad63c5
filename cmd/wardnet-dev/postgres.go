package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pgcluster"
)

// postgres is the server the services use: a private cluster under the
// data dir, or the one WARDNET_DATABASE_URL names.
type postgres struct {
	admin   host.DSN           // connection to a database that exists (postgres)
	cluster *pgcluster.Cluster // nil for an external server
	logPath string             // the private cluster's log
	logFile *os.File
}

// startPostgres starts the private cluster under <dataDir>/postgres, on
// cfg.PostgresPort when that is free, or uses cfg.DatabaseURL.
func startPostgres(ctx context.Context, dataDir string, cfg config, log *slog.Logger) (*postgres, error) {
	if cfg.DatabaseURL != "" {
		log.Info("using the Postgres server of WARDNET_DATABASE_URL", "url", cfg.DatabaseURL)
		return &postgres{admin: cfg.DatabaseURL}, nil
	}
	port := cfg.PostgresPort
	if port != 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			log.Warn("postgres port is taken; using a free one", "port", port)
			port = 0
		} else {
			_ = ln.Close()
		}
	}
	dir := filepath.Join(dataDir, "postgres")
	logPath := filepath.Join(dataDir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("postgres log: %w", err)
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{
		Dir:    dir,
		Port:   port,
		Log:    logFile,
		Logger: log.With("component", "postgres"),
	})
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%w\n"+
			"wardnet-dev runs a private Postgres from the system's binaries under %s (as user postgres when started as root; "+
			"that user must be able to enter every parent directory). Fix the cause above, choose another --data-dir "+
			"(e.g. --data-dir /tmp/wardnet-dev), or set WARDNET_DATABASE_URL to a server you already run; see %s",
			err, dir, logPath)
	}
	return &postgres{admin: host.DSN(c.URL("postgres")), cluster: c, logPath: logPath, logFile: logFile}, nil
}

// stop shuts the private cluster down and waits for its process to exit.
func (p *postgres) stop(log *slog.Logger) {
	if p.cluster == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := p.cluster.Stop(ctx); err != nil {
		log.Error("stop postgres", "err", err)
	}
	p.logFile.Close()
}

// createDatabases creates the databases that do not exist yet.
func (p *postgres) createDatabases(ctx context.Context, log *slog.Logger, names ...string) error {
	conn, err := pgx.Connect(ctx, string(p.admin))
	if err != nil {
		return fmt.Errorf("postgres %s: %w", p.admin, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, name := range names {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
			return fmt.Errorf("look up database %s: %w", name, err)
		}
		if exists {
			continue
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
		log.Info("database created", "database", name)
	}
	return nil
}

// url is the connection string for database name on the same server.
func (p *postgres) url(name string) host.DSN {
	s := string(p.admin)
	if u, err := url.Parse(s); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		u.RawPath = ""
		return host.DSN(u.String())
	}
	// keyword/value form: a later dbname overrides an earlier one.
	return host.DSN(strings.TrimSpace(s) + " dbname=" + name)
}
