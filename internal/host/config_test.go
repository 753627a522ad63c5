package host_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/httpserver"
)

// validEnv is a complete, valid environment.
func validEnv() map[string]string {
	return map[string]string{
		"WARDNET_NATS_URL":        "nats://nats-1:4222, nats://nats-2:4222",
		"WARDNET_DATABASE_URL":    "postgres://tenants:pw@db:5432/tenants?sslmode=disable",
		"WARDNET_HTTP_ADDR":       ":8080",
		"WARDNET_STREAM_REPLICAS": "3",
	}
}

// load fills a Config from env on top of the defaults, then validates it.
func load(t *testing.T, env map[string]string) (host.Config, error) {
	t.Helper()
	for _, k := range []string{
		"WARDNET_NATS_URL", "WARDNET_NATS_CREDS_PATH", "WARDNET_DATABASE_URL", "WARDNET_DATABASE_URL_PATH",
		"WARDNET_HTTP_ADDR", "WARDNET_STREAM_REPLICAS", "WARDNET_LOG_LEVEL", "WARDNET_READY_MAX_LAG",
		"WARDNET_READY_TIMEOUT", "WARDNET_SHUTDOWN_TIMEOUT",
		"WARDNET_HTTP_READ_HEADER_TIMEOUT", "WARDNET_HTTP_READ_TIMEOUT", "WARDNET_HTTP_WRITE_TIMEOUT",
		"WARDNET_HTTP_IDLE_TIMEOUT", "WARDNET_HTTP_MAX_HEADER_BYTES", "WARDNET_HTTP_MAX_CONNS_PER_CLIENT",
		"WARDNET_PASSWORD_HASHES",
	} {
		t.Setenv(k, "") // registers restoration
		os.Unsetenv(k)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg := host.Defaults()
	if err := host.Load(&cfg); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func TestConfigLoadsEveryVariable(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "nats.creds")
	if err := os.WriteFile(creds, []byte("creds"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := validEnv()
	env["WARDNET_NATS_CREDS_PATH"] = creds
	env["WARDNET_LOG_LEVEL"] = "debug"
	env["WARDNET_READY_MAX_LAG"] = "50"
	env["WARDNET_READY_TIMEOUT"] = "750ms"
	env["WARDNET_SHUTDOWN_TIMEOUT"] = "1m"
	env["WARDNET_HTTP_READ_HEADER_TIMEOUT"] = "5s"
	env["WARDNET_HTTP_READ_TIMEOUT"] = "30s"
	env["WARDNET_HTTP_WRITE_TIMEOUT"] = "45s"
	env["WARDNET_HTTP_IDLE_TIMEOUT"] = "2m"
	env["WARDNET_HTTP_MAX_HEADER_BYTES"] = "16384"
	env["WARDNET_HTTP_MAX_CONNS_PER_CLIENT"] = "8"
	env["WARDNET_PASSWORD_HASHES"] = "3"
	cfg, err := load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	want := host.Config{
		NATSURL:         "nats://nats-1:4222, nats://nats-2:4222",
		NATSCredsPath:   creds,
		DatabaseURL:     "postgres://tenants:pw@db:5432/tenants?sslmode=disable",
		HTTPAddr:        ":8080",
		StreamReplicas:  3,
		LogLevel:        slog.LevelDebug,
		ReadyMaxLag:     50,
		ReadyTimeout:    750 * time.Millisecond,
		ShutdownTimeout: time.Minute,
		PasswordHashes:  3,
		Limits: httpserver.Limits{
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      45 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    16384,
			MaxConnsPerClient: 8,
		},
	}
	if cfg != want {
		t.Fatalf("loaded %+v\nwant   %+v", cfg, want)
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := load(t, validEnv())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LogLevel != slog.LevelInfo || cfg.ReadyMaxLag != 1000 || cfg.ReadyTimeout != 2*time.Second || cfg.ShutdownTimeout != 15*time.Second ||
		cfg.Limits != httpserver.DefaultLimits() {
		t.Fatalf("defaults not applied: %+v", cfg)
	}
}

// Variables are read only under their WARDNET_ names: envconfig would fall
// back to the bare tag name (NATS_URL, DATABASE_URL), which the nats CLI and
// many tools use for something else.
func TestConfigIgnoresUnprefixedVariables(t *testing.T) {
	env := validEnv()
	delete(env, "WARDNET_NATS_URL")
	env["NATS_URL"] = "nats://elsewhere:4222"
	_, err := load(t, env)
	if err == nil || !strings.Contains(err.Error(), "WARDNET_NATS_URL is required") {
		t.Fatalf("NATS_URL was used for WARDNET_NATS_URL: %v", err)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	dir := t.TempDir()
	dsnFile := filepath.Join(dir, "dsn")
	if err := os.WriteFile(dsnFile, []byte("postgres://u@db/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change map[string]string // "" deletes
		want   []string
		hidden string // must not appear in the error
	}{
		{"nothing set", map[string]string{"WARDNET_NATS_URL": "", "WARDNET_DATABASE_URL": "", "WARDNET_HTTP_ADDR": "", "WARDNET_STREAM_REPLICAS": ""},
			[]string{"WARDNET_NATS_URL is required", "WARDNET_DATABASE_URL or WARDNET_DATABASE_URL_PATH is required", "WARDNET_HTTP_ADDR is required", "WARDNET_STREAM_REPLICAS is required"}, ""},
		{"replicas not a number", map[string]string{"WARDNET_STREAM_REPLICAS": "three"}, []string{`WARDNET_STREAM_REPLICAS="three" is not a valid int`}, ""},
		{"replicas out of range", map[string]string{"WARDNET_STREAM_REPLICAS": "7"}, []string{"WARDNET_STREAM_REPLICAS must be 1 to 5", "got 7"}, ""},
		{"log level", map[string]string{"WARDNET_LOG_LEVEL": "loud"}, []string{`WARDNET_LOG_LEVEL="loud"`}, ""},
		{"duration", map[string]string{"WARDNET_SHUTDOWN_TIMEOUT": "soon"}, []string{`WARDNET_SHUTDOWN_TIMEOUT="soon"`}, ""},
		{"negative timeout", map[string]string{"WARDNET_READY_TIMEOUT": "-1s"}, []string{"WARDNET_READY_TIMEOUT must be positive"}, ""},
		{"both database settings", map[string]string{"WARDNET_DATABASE_URL_PATH": dsnFile}, []string{"set only one of WARDNET_DATABASE_URL and WARDNET_DATABASE_URL_PATH"}, ""},
		{"database file missing", map[string]string{"WARDNET_DATABASE_URL": "", "WARDNET_DATABASE_URL_PATH": filepath.Join(dir, "nope")}, []string{"WARDNET_DATABASE_URL_PATH", "no such file"}, ""},
		{"database url invalid", map[string]string{"WARDNET_DATABASE_URL": "postgres://u:sekrit-pw@db:port/x"}, []string{"WARDNET_DATABASE_URL: not a valid Postgres connection string"}, "sekrit-pw"},
		{"nats scheme", map[string]string{"WARDNET_NATS_URL": "http://nats:4222"}, []string{"WARDNET_NATS_URL", "scheme must be nats"}, ""},
		{"nats not a url", map[string]string{"WARDNET_NATS_URL": "nats-1"}, []string{`WARDNET_NATS_URL: "nats-1" is not a URL`}, ""},
		{"nats credentials", map[string]string{"WARDNET_NATS_URL": "nats://u:sekrit-pw@nats:4222"}, []string{"WARDNET_NATS_URL: credentials do not belong in the URL", "WARDNET_NATS_CREDS_PATH"}, "sekrit-pw"},
		{"nats creds file missing", map[string]string{"WARDNET_NATS_CREDS_PATH": filepath.Join(dir, "none.creds")}, []string{"WARDNET_NATS_CREDS_PATH", "no such file"}, ""},
		{"http addr", map[string]string{"WARDNET_HTTP_ADDR": "8080"}, []string{"WARDNET_HTTP_ADDR", "not host:port"}, ""},
		{"http port", map[string]string{"WARDNET_HTTP_ADDR": ":99999"}, []string{"WARDNET_HTTP_ADDR", "port must be a number"}, ""},
		{"http read timeout", map[string]string{"WARDNET_HTTP_READ_TIMEOUT": "0s"}, []string{"WARDNET_HTTP_READ_TIMEOUT must be positive"}, ""},
		{"http write within read", map[string]string{"WARDNET_HTTP_WRITE_TIMEOUT": "30s"}, []string{"WARDNET_HTTP_WRITE_TIMEOUT (30s) must be longer than WARDNET_HTTP_READ_TIMEOUT (1m0s)"}, ""},
		{"http header bytes", map[string]string{"WARDNET_HTTP_MAX_HEADER_BYTES": "100"}, []string{"WARDNET_HTTP_MAX_HEADER_BYTES must be 4096 to 1048576"}, ""},
		{"http conns", map[string]string{"WARDNET_HTTP_MAX_CONNS_PER_CLIENT": "0"}, []string{"WARDNET_HTTP_MAX_CONNS_PER_CLIENT must be at least 1"}, ""},
		{"password hashes", map[string]string{"WARDNET_PASSWORD_HASHES": "-1"}, []string{"WARDNET_PASSWORD_HASHES must be 0 (one per CPU) to 256"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := validEnv()
			for k, v := range tt.change {
				if v == "" {
					delete(env, k)
				} else {
					env[k] = v
				}
			}
			_, err := load(t, env)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error shows the secret: %q", err)
			}
		})
	}
}

func TestDatabaseURLFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(path, []byte("postgres://u:pw@db:5432/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := validEnv()
	delete(env, "WARDNET_DATABASE_URL")
	env["WARDNET_DATABASE_URL_PATH"] = path
	cfg, err := load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := cfg.Database()
	if err != nil || string(dsn) != "postgres://u:pw@db:5432/x" {
		t.Fatalf("Database() = %q, %v", string(dsn), err)
	}
}
