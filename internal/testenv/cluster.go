package testenv

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/pgcluster"
)

// Cluster is a Postgres server of one test's own, started from the
// system's binaries (package pgcluster), for tests that stop and start the
// server under the code they test. Other tests share one server; use
// Postgres for them.
type Cluster struct {
	opts    pgcluster.Options
	cluster *pgcluster.Cluster // nil while stopped
}

// PrivateCluster initialises and starts a server on a temporary data
// directory. It is stopped and removed when the test ends.
func PrivateCluster(t testing.TB) *Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "wardnet-test-pg-")
	if err != nil {
		t.Fatal(err)
	}
	// postgres may run as another user (we may be root); let it in.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	c := &Cluster{opts: pgcluster.Options{Dir: dir + "/data", Fast: true,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}}
	c.Start(t)
	c.opts.Port = c.cluster.Port() // a restart listens where clients reconnect
	t.Cleanup(func() { c.Stop(t) })
	return c
}

// Postgres creates a fresh database on the server with the migrations
// applied, as the package-level Postgres does on the shared server.
func (c *Cluster) Postgres(t testing.TB) *DB {
	t.Helper()
	if c.cluster == nil {
		t.Fatal("testenv: the private cluster is stopped")
	}
	return migrated(t, emptyDatabaseOn(t, c.cluster.URL("postgres")))
}

// Stop shuts the server down fast (clients are disconnected, the data
// stays), as an operator's restart or a failover does. Stopping a stopped
// server does nothing.
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if c.cluster == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.cluster.Stop(ctx); err != nil {
		t.Errorf("testenv: stop postgres: %v", err)
	}
	c.cluster = nil
}

// Start starts the server again on its data directory and port and waits
// until it accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if c.cluster != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pc, err := pgcluster.Start(ctx, c.opts)
	if err != nil {
		t.Fatalf("testenv: start postgres: %v", err)
	}
	c.cluster = pc
}
