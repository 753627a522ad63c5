package testenv_test

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// Each test gets its own database with the migrations applied.
func TestPostgresIsFreshAndMigrated(t *testing.T) {
	t.Parallel()
	a, b := testenv.Postgres(t), testenv.Postgres(t)
	if a.Name == b.Name {
		t.Fatal("two tests share a database")
	}
	ctx := context.Background()
	if _, err := a.Pool.Exec(ctx, `INSERT INTO snapshots (aggregate, id, version, stream_seq, schema_version, state) VALUES ('t', '1', 1, 1, 1, '{}')`); err != nil {
		t.Fatalf("migrated table missing: %v", err)
	}
	var n int
	if err := b.Pool.QueryRow(ctx, `SELECT count(*) FROM snapshots`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("second database sees %d rows (%v)", n, err)
	}
}

// A restarted NATS server keeps its JetStream data and clients reconnect.
func TestNATSRestartKeepsStreams(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	ctx := context.Background()
	if _, err := n.JS.CreateKeyValue(ctx, jetstreamKV("kept")); err != nil {
		t.Fatal(err)
	}
	n.Restart(t)
	if _, err := n.JS.KeyValue(ctx, "kept"); err != nil {
		t.Fatalf("bucket lost across restart: %v", err)
	}
}

func jetstreamKV(name string) jetstream.KeyValueConfig { return jetstream.KeyValueConfig{Bucket: name} }

// A private cluster stops and starts again on the same port with its data.
func TestPrivateClusterRestartKeepsData(t *testing.T) {
	t.Parallel()
	c := testenv.PrivateCluster(t)
	db := c.Postgres(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO snapshots (aggregate, id, version, stream_seq, schema_version, state) VALUES ('t', '1', 1, 1, 1, '{}')`); err != nil {
		t.Fatal(err)
	}
	c.Stop(t)
	if err := db.Pool.Ping(ctx); err == nil {
		t.Fatal("the pool still reaches a stopped server")
	}
	c.Start(t)
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM snapshots`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after the restart: %d rows (%v)", n, err)
	}
}
