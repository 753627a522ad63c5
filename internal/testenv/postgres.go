package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardnet/wardnet-cloud/internal/benchreport"
	"github.com/wardnet/wardnet-cloud/internal/pgcluster"
	"github.com/wardnet/wardnet-cloud/schema"
)

// EnvDatabaseURL names the variable that points tests at a Postgres server.
// The URL's user must be allowed to create databases.
const EnvDatabaseURL = "WARDNET_TEST_DATABASE_URL"

// EnvPrivatePostgres, set to 1, skips the local server and starts the
// throwaway cluster, as on a machine without a running Postgres.
const EnvPrivatePostgres = "WARDNET_TEST_PRIVATE_POSTGRES"

const localURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	serverOnce sync.Once
	serverURL  string // admin URL of the server tests use
	serverErr  error
	cluster    *pgcluster.Cluster
	clusterDir string
)

// Main runs the package's tests and benchmarks, prints the benchmark
// summary lines (package benchreport), and stops a throwaway Postgres
// cluster if one was started. Use it as
// `func TestMain(m *testing.M) { testenv.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	benchreport.Print(os.Stdout)
	stopCluster()
	os.Exit(code)
}

func stopCluster() {
	if cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = cluster.Stop(ctx)
		_ = os.RemoveAll(clusterDir)
	}
}

// adminURL finds the Postgres server for this test binary, once.
func adminURL() (string, error) {
	serverOnce.Do(func() {
		if u := os.Getenv(EnvDatabaseURL); u != "" {
			serverURL = u
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if os.Getenv(EnvPrivatePostgres) != "1" {
			if conn, err := pgx.Connect(ctx, localURL); err == nil {
				_ = conn.Close(ctx)
				serverURL = localURL
				return
			}
		}
		dir, err := os.MkdirTemp("", "wardnet-test-pg-")
		if err == nil {
			// postgres may run as another user (we may be root); let it in.
			err = os.Chmod(dir, 0o755)
		}
		if err != nil {
			serverErr = err
			return
		}
		clusterDir = dir
		c, err := pgcluster.Start(context.Background(), pgcluster.Options{Dir: dir + "/data", Fast: true})
		if err != nil {
			serverErr = fmt.Errorf("no Postgres at $%s or 127.0.0.1:5432, and a throwaway cluster failed: %w", EnvDatabaseURL, err)
			return
		}
		cluster = c
		serverURL = c.URL("postgres")
	})
	return serverURL, serverErr
}

// DB is a fresh database for one test.
type DB struct {
	Pool *pgxpool.Pool
	URL  string
	Name string
}

// Postgres creates a fresh database, applies the migrations and returns a
// pool on it. The database is dropped when the test ends.
func Postgres(t testing.TB) *DB {
	t.Helper()
	return migrated(t, EmptyDatabase(t))
}

// EmptyDatabase creates a fresh database without migrations.
func EmptyDatabase(t testing.TB) *DB {
	t.Helper()
	admin, err := adminURL()
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	return emptyDatabaseOn(t, admin)
}

// emptyDatabaseOn creates a fresh database on the server of admin, dropped
// when the test ends.
func emptyDatabaseOn(t testing.TB, admin string) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("postgres: connect %s: %v", redact(admin), err)
	}
	defer conn.Close(ctx)
	name := "wardnet_test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("postgres: create database: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(admin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("postgres: pool: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Logf("postgres: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("postgres: drop %s: %v", name, err)
		}
	})
	return &DB{Pool: pool, URL: withDatabase(admin, name), Name: name}
}

// migrated applies the migrations to db.
func migrated(t testing.TB, db *DB) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := schema.Migrate(ctx, db.Pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// withDatabase returns the connection string u pointed at database name.
func withDatabase(u, name string) string {
	if p, err := url.Parse(u); err == nil && (p.Scheme == "postgres" || p.Scheme == "postgresql") {
		p.Path = "/" + name
		return p.String()
	}
	return u + " dbname=" + name
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redact hides the password in a connection URL for messages.
func redact(u string) string {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
