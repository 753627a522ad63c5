package host

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// HealthcheckArg is the argument that makes a service binary probe itself
// instead of serving: container images are distroless (no shell, no curl),
// so health checks run `/tenants healthcheck`.
const HealthcheckArg = "healthcheck"

// Healthcheck probes GET /healthz of the service on WARDNET_HTTP_ADDR
// (defaultAddr when unset) and returns the process exit code: 0 when it
// answered 200, 1 otherwise.
func Healthcheck(defaultAddr string) int {
	addr := os.Getenv("WARDNET_HTTP_ADDR")
	if addr == "" {
		addr = defaultAddr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := Probe(ctx, addr, "/healthz"); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	return 0
}

// Probe sends GET path to the service listening on addr (a listen address
// such as ":8080"; an unspecified host means this machine) and fails unless
// it answers 200.
func Probe(ctx context.Context, addr, path string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("probe %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe %s: %s", url, resp.Status)
	}
	return nil
}
