package tenants_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/projectors/audit"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tenants"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestLoadConfigListensOn8080(t *testing.T) {
	t.Setenv("WARDNET_NATS_URL", "nats://127.0.0.1:4222")
	t.Setenv("WARDNET_DATABASE_URL", "postgres://u@127.0.0.1/x")
	t.Setenv("WARDNET_STREAM_REPLICAS", "1")
	t.Setenv("WARDNET_KNOWN_REGIONS", "euc")
	t.Setenv("WARDNET_MAIL_SENDER", "log")
	for _, v := range []string{"JWT_SIGNING_KEY", "COOKIE_KEY", "DATA_KEY"} {
		t.Setenv("WARDNET_"+v+"_PATH", "/run/secrets/"+v)
	}
	t.Setenv("WARDNET_HTTP_ADDR", "")
	os.Unsetenv("WARDNET_HTTP_ADDR")
	cfg, err := tenants.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":8080" {
		t.Fatalf("HTTPAddr = %q", cfg.HTTPAddr)
	}
}

// The service runs on a caller's NATS and database, answers the runtime
// endpoints and stops when its context ends.
func TestRunsOnGivenNATSAndDatabase(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	cfg := servicetest.TenantsConfig(t, n, db)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel) // after the service has stopped
	svc, err := tenants.New(ctx, cfg, tenants.WithServiceOptions(host.WithLogger(slog.New(slog.DiscardHandler))))
	if err != nil {
		t.Fatal(err)
	}
	// Ready once the projections have set up their read models.
	ops := servicetest.Run(t, tenants.Name, svc, svc.Addr().String(), servicetest.ReadyWithin)
	servicetest.CheckNATSClient(t, n, tenants.Name)

	// The audit projection runs and is part of readiness.
	body := servicetest.Get(t, ops+"/readyz")
	if !strings.Contains(body, `"projection.audit"`) {
		t.Fatalf("/readyz does not check the audit projection: %s", body)
	}
	store := events.NewStore(n.JS, events.NewCatalog())
	if _, err := store.Append(ctx, events.Meta{TenantID: "t-1"}, events.Change{
		Aggregate: events.MustRef("probe", "p1"), Events: []events.Payload{probed{}},
	}); err == nil {
		t.Fatal("appended a type the catalogue does not know")
	}
	cat := events.NewCatalog()
	events.Register[probed](cat, 1)
	if _, err := events.NewStore(n.JS, cat).Append(ctx, events.Meta{TenantID: "t-1"}, events.Change{
		Aggregate: events.MustRef("probe", "p1"), Events: []events.Payload{probed{}},
	}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, func() error {
		entries, err := audit.New().Recent(ctx, db.Pool, "t-1", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Type != "test.probed" {
			return fmt.Errorf("audit index did not receive the event: %+v", entries)
		}
		return nil
	})
}

type probed struct{}

func (probed) EventType() string { return "test.probed" }
