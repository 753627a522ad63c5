package host

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/kelseyhightower/envconfig"

	"github.com/wardnet/wardnet-cloud/internal/httpserver"
)

// Config is the configuration every service shares. Each field is read from
// the environment variable in its envconfig tag (spelled in full, so that
// grep finds it); docs/operations.md describes them all.
//
// Secrets never sit in a plain field: secret material comes from files named
// by *_PATH variables, and the one secret a variable may hold, the database
// connection string, is a DSN, which never prints its password.
type Config struct {
	// NATSURL lists NATS servers as comma-separated seed URLs
	// (nats://host:4222,...). Credentials do not belong here: see
	// NATSCredsPath.
	NATSURL string `envconfig:"WARDNET_NATS_URL"`
	// NATSCredsPath is an optional NATS credentials file (JWT and nkey seed).
	NATSCredsPath string `envconfig:"WARDNET_NATS_CREDS_PATH"`
	// DatabaseURL is the service's Postgres database.
	DatabaseURL DSN `envconfig:"WARDNET_DATABASE_URL"`
	// DatabaseURLPath is a file holding the connection string instead, for
	// deployments that mount secrets as files. Set exactly one of the two.
	DatabaseURLPath string `envconfig:"WARDNET_DATABASE_URL_PATH"`
	// HTTPAddr is the listen address of the service's HTTP API and of
	// /healthz, /readyz and /metrics. Port 0 picks a free port.
	HTTPAddr string `envconfig:"WARDNET_HTTP_ADDR"`
	// StreamReplicas is the replica count of the EVENTS stream: 1 in
	// development, 3 in production. It has no default: start-up updates the
	// stream to it, so a forgotten setting must not shrink a production
	// stream.
	StreamReplicas int `envconfig:"WARDNET_STREAM_REPLICAS"`
	// LogLevel is debug, info, warn or error.
	LogLevel slog.Level `envconfig:"WARDNET_LOG_LEVEL"`
	// ReadyMaxLag is how many events a projection may trail the log by
	// before /readyz fails. Services read it when they register their
	// projection checks.
	ReadyMaxLag uint64 `envconfig:"WARDNET_READY_MAX_LAG"`
	// ReadyTimeout bounds each readiness check of one /readyz request.
	ReadyTimeout time.Duration `envconfig:"WARDNET_READY_TIMEOUT"`
	// ShutdownTimeout bounds each step of a graceful shutdown (HTTP
	// requests in flight, NATS drain).
	ShutdownTimeout time.Duration `envconfig:"WARDNET_SHUTDOWN_TIMEOUT"`
	// PasswordHashes is how many argon2id computations (password hashes
	// and verifications, 19 MiB each) the process runs at once; 0 means
	// one per CPU. Beyond it requests wait up to 2 s, then get 503.
	PasswordHashes int `envconfig:"WARDNET_PASSWORD_HASHES"`
	// Limits are the limits of every HTTP server of the service, the ops
	// listener's and the public API's (WARDNET_HTTP_*).
	httpserver.Limits
}

// Defaults is the shared configuration before the environment is read.
// StreamReplicas, the NATS URL and the database have no defaults, and each
// service sets its own HTTPAddr.
func Defaults() Config {
	return Config{
		LogLevel:        slog.LevelInfo,
		ReadyMaxLag:     1000,
		ReadyTimeout:    2 * time.Second,
		ShutdownTimeout: 15 * time.Second,
		Limits:          httpserver.DefaultLimits(),
	}
}

// Load fills spec, a pointer to a configuration struct, from the
// environment. Fields whose variable is unset keep their value, so callers
// start from their defaults. It does not validate.
func Load(spec any) error {
	if err := envconfig.Process("", spec); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			// Only non-string fields fail to parse, and none of them is
			// secret, so the value may be shown.
			return fmt.Errorf("configuration: %s=%q is not a valid %s: %w", pe.KeyName, pe.Value, pe.TypeName, pe.Err)
		}
		return fmt.Errorf("configuration: %w", err)
	}
	return nil
}

// LoadConfig reads a service's configuration from the environment
// (WARDNET_*) over defaults (Load) and validates it.
func LoadConfig[C interface{ Validate() error }](defaults C) (C, error) {
	c := defaults
	if err := Load(&c); err != nil {
		var none C
		return none, err
	}
	if err := c.Validate(); err != nil {
		var none C
		return none, err
	}
	return c, nil
}

// Validate reports every invalid or missing setting at once, naming the
// variables. It reads the files the configuration points to, so a missing or
// unreadable secret fails here rather than in the middle of start-up.
func (c Config) Validate() error {
	var errs []error
	if err := validateNATSURL(c.NATSURL); err != nil {
		errs = append(errs, err)
	}
	if c.NATSCredsPath != "" {
		if err := readable(c.NATSCredsPath); err != nil {
			errs = append(errs, fmt.Errorf("WARDNET_NATS_CREDS_PATH: %w", err))
		}
	}
	if err := c.validateDatabase(); err != nil {
		errs = append(errs, err)
	}
	if err := validateListenAddr(c.HTTPAddr); err != nil {
		errs = append(errs, err)
	}
	if c.StreamReplicas < 1 || c.StreamReplicas > 5 {
		errs = append(errs, replicasError(c.StreamReplicas))
	}
	if c.ReadyTimeout <= 0 {
		errs = append(errs, fmt.Errorf("WARDNET_READY_TIMEOUT must be positive, got %s", c.ReadyTimeout))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("WARDNET_SHUTDOWN_TIMEOUT must be positive, got %s", c.ShutdownTimeout))
	}
	if c.PasswordHashes < 0 || c.PasswordHashes > 256 {
		errs = append(errs, fmt.Errorf("WARDNET_PASSWORD_HASHES must be 0 (one per CPU) to 256, got %d", c.PasswordHashes))
	}
	if err := c.Limits.Validate(); err != nil {
		errs = append(errs, err)
	}
	return InvalidConfig(errs...)
}

// InvalidConfig is the error of a Validate that found errs: one error
// saying the configuration is invalid, with every one of errs (nil ones
// are dropped), or nil when there are none.
func InvalidConfig(errs ...error) error {
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	return nil
}

// Database returns the connection string, read from DatabaseURLPath when
// that is the one set.
func (c Config) Database() (DSN, error) {
	if c.DatabaseURLPath == "" {
		return c.DatabaseURL, nil
	}
	b, err := os.ReadFile(c.DatabaseURLPath)
	if err != nil {
		return "", fmt.Errorf("WARDNET_DATABASE_URL_PATH: %w", err)
	}
	return DSN(strings.TrimSpace(string(b))), nil
}

func (c Config) validateDatabase() error {
	switch {
	case c.DatabaseURL == "" && c.DatabaseURLPath == "":
		return errors.New("WARDNET_DATABASE_URL or WARDNET_DATABASE_URL_PATH is required")
	case c.DatabaseURL != "" && c.DatabaseURLPath != "":
		return errors.New("set only one of WARDNET_DATABASE_URL and WARDNET_DATABASE_URL_PATH")
	}
	name := "WARDNET_DATABASE_URL"
	if c.DatabaseURLPath != "" {
		name = "WARDNET_DATABASE_URL_PATH"
	}
	dsn, err := c.Database()
	if err != nil {
		return err
	}
	if dsn == "" {
		return fmt.Errorf("%s: the connection string is empty", name)
	}
	// The parser's messages may quote the string, password included; say
	// only that it is wrong.
	if _, err := pgxpool.ParseConfig(string(dsn)); err != nil {
		return fmt.Errorf("%s: not a valid Postgres connection string (postgres://user:password@host:5432/db?sslmode=... or host=... dbname=...)", name)
	}
	return nil
}

// validateNATSURL checks each comma-separated seed.
func validateNATSURL(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("WARDNET_NATS_URL is required (comma-separated seeds, e.g. nats://nats-1:4222,nats://nats-2:4222)")
	}
	for _, seed := range strings.Split(s, ",") {
		seed = strings.TrimSpace(seed)
		u, err := url.Parse(seed)
		if err != nil || u.Host == "" {
			return fmt.Errorf("WARDNET_NATS_URL: %q is not a URL like nats://host:4222", seed)
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("WARDNET_NATS_URL: %q: scheme must be nats, tls, ws or wss", u.Redacted())
		}
		if u.User != nil {
			return errors.New("WARDNET_NATS_URL: credentials do not belong in the URL (they would be logged); use WARDNET_NATS_CREDS_PATH")
		}
	}
	return nil
}

func validateListenAddr(addr string) error {
	if addr == "" {
		return errors.New("WARDNET_HTTP_ADDR is required (host:port, e.g. :8080)")
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("WARDNET_HTTP_ADDR: %q is not host:port: %w", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("WARDNET_HTTP_ADDR: %q: port must be a number from 0 to 65535", addr)
	}
	return nil
}

func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

func replicasError(n int) error {
	if n == 0 {
		return errors.New("WARDNET_STREAM_REPLICAS is required: 1 in development, 3 in production")
	}
	return fmt.Errorf("WARDNET_STREAM_REPLICAS must be 1 to 5 (1 in development, 3 in production), got %d", n)
}
