package pgcluster_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardnet/wardnet-cloud/internal/pgcluster"
)

// A private cluster initialises once, serves queries, stops without leaving
// its process behind, and starts again on the same data.
func TestClusterLifecycle(t *testing.T) {
	if _, err := pgcluster.FindBinaries(); err != nil {
		t.Skipf("no postgres binaries: %v", err)
	}
	base, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // postgres may run as another user
		t.Fatal(err)
	}
	dir := filepath.Join(base, "data")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, ctx, c.URL("postgres"), "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")
	pid := pidOf(t, dir)
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("postgres pid %d still running after Stop", pid)
	}

	c, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatalf("restart on the same data: %v", err)
	}
	defer c.Stop(ctx)
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("data after restart: %d, %v", v, err)
	}
}

func TestStartRejectsMissingDir(t *testing.T) {
	if _, err := pgcluster.Start(context.Background(), pgcluster.Options{}); err == nil {
		t.Fatal("started without a data directory")
	}
}

func exec(t *testing.T, ctx context.Context, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

func pidOf(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		pid = pid*10 + int(c-'0')
	}
	return pid
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
