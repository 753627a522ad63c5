package host_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// running is a runtime serving in the background.
type running struct {
	rt   *host.Runtime
	base string // http://host:port
	log  *testenv.Logs
	stop context.CancelFunc
	done chan error // receives Run's result
}

// config is a valid configuration on real NATS and a fresh database.
func config(t *testing.T, natsURL, dbURL string) host.Config {
	cfg := host.Defaults()
	cfg.NATSURL = natsURL
	cfg.DatabaseURL = host.DSN(dbURL)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.StreamReplicas = 1
	cfg.ReadyTimeout = time.Second
	cfg.ShutdownTimeout = 5 * time.Second
	return cfg
}

// start starts a runtime on cfg; setup registers checks and components
// before Run.
func start(t *testing.T, cfg host.Config, setup func(*host.Runtime)) *running {
	t.Helper()
	logs := &testenv.Logs{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rt, err := host.Start(ctx, "test", cfg, host.WithLogger(host.NewLogger(logs, slog.LevelDebug)))
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(rt)
	}
	runCtx, stop := context.WithCancel(context.Background())
	r := &running{rt: rt, base: "http://" + rt.Addr().String(), log: logs, stop: stop, done: make(chan error, 1)}
	go func() { r.done <- rt.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
	return r
}

// shutdown cancels Run and returns its result.
func (r *running) shutdown(t *testing.T) error {
	t.Helper()
	r.stop()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30 s of its context ending")
		return nil
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func readiness(t *testing.T, base string) (int, host.Readiness) {
	t.Helper()
	code, body := get(t, base+"/readyz")
	var rd host.Readiness
	if err := json.Unmarshal([]byte(body), &rd); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	return code, rd
}

// waitReadiness polls /readyz until it answers code.
func waitReadiness(t *testing.T, base string, code int) host.Readiness {
	t.Helper()
	var rd host.Readiness
	testenv.Eventually(t, 30*time.Second, func() error {
		var got int
		if got, rd = readiness(t, base); got != code {
			return fmt.Errorf("readyz %d (%+v), want %d", got, rd, code)
		}
		return nil
	})
	return rd
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	var lagging atomic.Bool
	r := start(t, config(t, n.URL, db.URL), func(rt *host.Runtime) {
		rt.AddReadiness("projection", func(context.Context) error {
			if lagging.Load() {
				return errors.New("lag 5000 > 1000")
			}
			return nil
		})
	})

	if code, body := get(t, r.base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz %d %s", code, body)
	}
	code, rd := readiness(t, r.base)
	want := map[string]string{"nats": "ok", "postgres": "ok", "projection": "ok"}
	if code != 200 || rd.Status != "ready" || len(rd.Failed) != 0 || !maps.Equal(rd.Checks, want) {
		t.Fatalf("readyz %d %+v", code, rd)
	}

	lagging.Store(true)
	code, rd = readiness(t, r.base)
	if code != 503 || rd.Status != "unavailable" || !slices.Equal(rd.Failed, []string{"projection"}) || rd.Checks["projection"] != "lag 5000 > 1000" {
		t.Fatalf("readyz with a failing check: %d %+v", code, rd)
	}

	code, body := get(t, r.base+"/metrics")
	for _, m := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if code != 200 || !strings.Contains(body, m) {
			t.Fatalf("metrics %d lacks %s", code, m)
		}
	}
	// The service's registry, not the global one.
	r.rt.Registry().MustRegister(prometheusCounter("wardnet_test_total"))
	if _, body := get(t, r.base+"/metrics"); !strings.Contains(body, "wardnet_test_total") {
		t.Fatal("metric registered on the service's registry is not served")
	}
}

func TestReadyzFailsWhileNATSIsDown(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	r := start(t, config(t, n.URL, db.URL), nil)
	waitReadiness(t, r.base, 200)

	n.Server.Shutdown()
	rd := waitReadiness(t, r.base, 503)
	if !slices.Equal(rd.Failed, []string{"nats"}) || rd.Checks["postgres"] != "ok" {
		t.Fatalf("readyz while NATS is down: %+v", rd)
	}
	if code, _ := get(t, r.base+"/healthz"); code != 200 {
		t.Fatalf("healthz %d while NATS is down; the process is alive", code)
	}

	n.Restart(t)
	waitReadiness(t, r.base, 200)
	if err := r.shutdown(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestReadyzFailsWhilePostgresIsUnreachable(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	p := newProxy(t, db.URL)
	r := start(t, config(t, n.URL, p.dsn), nil)
	waitReadiness(t, r.base, 200)

	p.Close()
	rd := waitReadiness(t, r.base, 503)
	if !slices.Equal(rd.Failed, []string{"postgres"}) || rd.Checks["nats"] != "ok" {
		t.Fatalf("readyz while Postgres is unreachable: %+v", rd)
	}
}

// Cancelling the context stops the HTTP server first, then the components,
// then releases NATS and Postgres, and Run returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	httpClosedFirst := make(chan bool, 1)
	var addr string
	r := start(t, config(t, n.URL, db.URL), func(rt *host.Runtime) {
		addr = rt.Addr().String()
		rt.AddComponent("watcher", host.ComponentFunc(func(ctx context.Context) error {
			<-ctx.Done()
			_, err := net.Dial("tcp", addr)
			httpClosedFirst <- err != nil
			return ctx.Err()
		}))
	})
	waitReadiness(t, r.base, 200)

	if err := r.shutdown(t); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if !<-httpClosedFirst {
		t.Error("the listener still accepted connections when components were stopped")
	}
	if !r.rt.NATS().IsClosed() {
		t.Error("NATS connection still open")
	}
	if err := r.rt.Pool().Ping(context.Background()); err == nil {
		t.Error("Postgres pool still usable")
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("HTTP listener still open")
	}
}

// A failing component stops the service, and Run names it.
func TestComponentFailureStopsService(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	r := start(t, config(t, n.URL, db.URL), func(rt *host.Runtime) {
		rt.AddComponent("broken", host.ComponentFunc(func(context.Context) error {
			return errors.New("boom")
		}))
	})
	select {
	case err := <-r.done:
		r.done <- err
		if err == nil || !strings.Contains(err.Error(), "component broken: boom") {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("service kept running after a component failed")
	}
}

// The start-up log prints the configuration, but neither a DSN password nor
// the contents of a secret file ever reach the logs or the errors.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	secret, ok := u.User.Password()
	if !ok { // the test server trusts local connections; any password works
		secret = "hunter2-never-log-me"
		u.User = url.UserPassword(u.User.Username(), secret)
	}
	path := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(path, []byte(u.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config(t, n.URL, "")
	cfg.DatabaseURLPath = path
	r := start(t, cfg, nil)
	waitReadiness(t, r.base, 200)
	if err := r.shutdown(t); err != nil {
		t.Fatal(err)
	}
	logs := r.log.String()
	if !strings.Contains(logs, `"WARDNET_DATABASE_URL_PATH":"`+path+`"`) || !strings.Contains(logs, ":REDACTED@") {
		t.Fatalf("start-up log lacks the configuration:\n%s", logs)
	}

	// The same password in the variable itself, against a server that is
	// not there: the error and the logs still hide it.
	down := *u
	down.Host = "127.0.0.1:1"
	cfg = config(t, n.URL, down.String())
	var buf testenv.Logs
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = host.Start(ctx, "test", cfg, host.WithLogger(host.NewLogger(&buf, slog.LevelDebug)))
	if err == nil {
		t.Fatal("started without Postgres")
	}
	all := logs + buf.String() + err.Error()
	if strings.Contains(all, secret) {
		t.Fatalf("secret printed:\n%s", all)
	}
	if !strings.Contains(err.Error(), "postgres") || !strings.Contains(buf.String(), "REDACTED") {
		t.Fatalf("error %q / log %q do not describe the failure", err, buf.String())
	}
}

func TestStartFailsOnInvalidConfig(t *testing.T) {
	t.Parallel()
	_, err := host.Start(context.Background(), "test", host.Config{}, host.WithLogger(slog.New(slog.DiscardHandler)))
	if err == nil || !strings.Contains(err.Error(), "WARDNET_NATS_URL is required") {
		t.Fatalf("Start = %v", err)
	}
}

// A taken port fails Start before it connects to anything.
func TestStartFailsOnTakenPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := config(t, "nats://127.0.0.1:1", "postgres://u@127.0.0.1:1/x")
	cfg.HTTPAddr = ln.Addr().String()
	_, err = host.Start(context.Background(), "test", cfg, host.WithLogger(slog.New(slog.DiscardHandler)))
	if err == nil || !strings.Contains(err.Error(), "listen on "+cfg.HTTPAddr) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Start = %v", err)
	}
}
