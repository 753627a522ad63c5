package host_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

// serviceConfig is a service's configuration: the shared settings and one
// of its own.
type serviceConfig struct {
	host.Config
	Colour string `envconfig:"WARDNET_TEST_COLOUR"`
}

var errNoColour = errors.New("WARDNET_TEST_COLOUR is required")

func (c serviceConfig) Validate() error {
	errs := []error{c.Config.Validate()}
	if c.Colour == "" {
		errs = append(errs, errNoColour)
	}
	return host.InvalidConfig(errs...)
}

func TestInvalidConfigJoinsWhatFailed(t *testing.T) {
	if err := host.InvalidConfig(); err != nil {
		t.Errorf("no errors: %v", err)
	}
	if err := host.InvalidConfig(nil, nil); err != nil {
		t.Errorf("nil errors: %v", err)
	}
	a, b := errors.New("A is wrong"), errors.New("B is wrong")
	err := host.InvalidConfig(a, nil, b)
	if err == nil || err.Error() != "invalid configuration: A is wrong\nB is wrong" {
		t.Fatalf("got %q", err)
	}
	if !errors.Is(err, a) || !errors.Is(err, b) {
		t.Errorf("%v does not wrap both errors", err)
	}
}

func TestLoadConfigReadsOverDefaultsAndValidates(t *testing.T) {
	for k, v := range validEnv() {
		t.Setenv(k, v)
	}
	t.Setenv("WARDNET_TEST_COLOUR", "")
	os.Unsetenv("WARDNET_TEST_COLOUR")
	defaults := serviceConfig{Config: host.Defaults(), Colour: "blue"}
	cfg, err := host.LoadConfig(defaults)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Colour != "blue" || cfg.HTTPAddr != ":8080" || cfg.StreamReplicas != 3 {
		t.Errorf("loaded %+v", cfg)
	}

	t.Setenv("WARDNET_TEST_COLOUR", "green")
	if cfg, err = host.LoadConfig(defaults); err != nil || cfg.Colour != "green" {
		t.Errorf("from the environment: %q, %v", cfg.Colour, err)
	}

	defaults.Colour = ""
	os.Unsetenv("WARDNET_TEST_COLOUR")
	cfg, err = host.LoadConfig(defaults)
	if !errors.Is(err, errNoColour) || cfg != (serviceConfig{}) {
		t.Errorf("invalid: %+v, %v", cfg, err)
	}

	t.Setenv("WARDNET_STREAM_REPLICAS", "three")
	if _, err := host.LoadConfig(serviceConfig{Config: host.Defaults(), Colour: "blue"}); err == nil ||
		!strings.Contains(err.Error(), `WARDNET_STREAM_REPLICAS="three"`) {
		t.Errorf("unparsable: %v", err)
	}
}

// Build checks the service's own settings before it connects anywhere.
func TestBuildValidatesTheWholeConfigFirst(t *testing.T) {
	cfg := serviceConfig{Config: config(t, "nats://127.0.0.1:1", "postgres://u@127.0.0.1:1/x")}
	wired := false
	_, err := host.Build(context.Background(), "test", cfg, nil, func(*host.Runtime) (*struct{}, error) {
		wired = true
		return &struct{}{}, nil
	})
	if !errors.Is(err, errNoColour) || wired {
		t.Fatalf("Build: %v (wired: %t)", err, wired)
	}
}

// Build starts the runtime with the whole configuration in its start-up
// log, wires the service on it, and closes it when the wiring fails.
func TestBuildWiresAndClosesOnFailure(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	cfg := serviceConfig{Config: config(t, n.URL, db.URL), Colour: "blue"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logs := &testenv.Logs{}
	opts := []host.Option{host.WithLogger(host.NewLogger(logs, slog.LevelInfo))}

	type service struct{ rt *host.Runtime }
	svc, err := host.Build(ctx, "test", cfg, opts, func(rt *host.Runtime) (*service, error) {
		return &service{rt: rt}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc.rt.Close()
	if !strings.Contains(logs.String(), `"WARDNET_TEST_COLOUR":"blue"`) {
		t.Errorf("the start-up log does not describe the whole configuration:\n%s", logs)
	}

	failed := errors.New("wiring failed")
	var addr string
	svc, err = host.Build(ctx, "test", cfg, opts, func(rt *host.Runtime) (*service, error) {
		addr = rt.Addr().String()
		return &service{rt: rt}, failed
	})
	if !errors.Is(err, failed) || svc != nil {
		t.Fatalf("Build: %v, %v", svc, err)
	}
	// Closed: its listener's port is free again.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the runtime was not closed: %v", err)
	}
	_ = ln.Close()
}
