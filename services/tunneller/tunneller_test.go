package tunneller_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestLoadConfigListensOn8082(t *testing.T) {
	t.Setenv("WARDNET_NATS_URL", "nats://127.0.0.1:4222")
	t.Setenv("WARDNET_DATABASE_URL", "postgres://u@127.0.0.1/x")
	t.Setenv("WARDNET_STREAM_REPLICAS", "1")
	t.Setenv("WARDNET_HTTP_ADDR", "")
	os.Unsetenv("WARDNET_HTTP_ADDR")
	cfg, err := tunneller.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":8082" {
		t.Fatalf("HTTPAddr = %q", cfg.HTTPAddr)
	}
}

// The service runs on a caller's NATS and database, answers the runtime
// endpoints and stops when its context ends.
func TestRunsOnGivenNATSAndDatabase(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	cfg := tunneller.DefaultConfig()
	cfg.NATSURL = n.URL
	cfg.DatabaseURL = host.DSN(db.URL)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.StreamReplicas = 1
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel) // after the service has stopped
	svc, err := tunneller.New(ctx, cfg, host.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	// Ready at once: it has no readiness checks of its own yet.
	servicetest.Run(t, tunneller.Name, svc, svc.Addr().String(), 0)
	servicetest.CheckNATSClient(t, n, tunneller.Name)
}
