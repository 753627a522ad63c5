package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
)

// The ddns service's DNS in development: a fake Cloudflare (package
// cftest) in this process, holding one zone for the region "local".
const (
	devRegion   = "local"
	devZone     = "wardnet.test"
	devZoneID   = "000000000000000000000000000000d0"
	devCFToken  = "wardnet-dev-cloudflare-token"
	devCFPrefix = "/client/v4/"
)

// fakeCloudflare is the fake served on a free loopback port. It keeps its
// records in memory: after a restart the zone is empty, and the ddns
// service's drift check puts the records back.
type fakeCloudflare struct {
	fake      *cftest.Fake
	ln        net.Listener
	srv       *http.Server
	tokenPath string
	log       *slog.Logger
}

// startFakeCloudflare binds the fake's listener and writes the API token
// file the ddns service reads. Run serves it.
func startFakeCloudflare(dataDir string, log *slog.Logger) (*fakeCloudflare, error) {
	keys := filepath.Join(dataDir, "keys")
	if err := os.MkdirAll(keys, 0o700); err != nil {
		return nil, fmt.Errorf("fake cloudflare: %w", err)
	}
	tokenPath := filepath.Join(keys, "cloudflare-token")
	if err := os.WriteFile(tokenPath, []byte(devCFToken+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("fake cloudflare: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake cloudflare: %w", err)
	}
	f := cftest.New(devCFToken, cftest.WithZone(devZoneID, devZone))
	return &fakeCloudflare{
		fake:      f,
		ln:        ln,
		srv:       &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second},
		tokenPath: tokenPath,
		log:       log.With("component", "cloudflare-fake"),
	}, nil
}

// URL is the API base to give the ddns service.
func (c *fakeCloudflare) URL() string { return "http://" + c.ln.Addr().String() + devCFPrefix }

// Listing serves the zone's records as JSON (GET /dev/dns).
func (c *fakeCloudflare) Listing() http.Handler { return c.fake.ListingHandler() }

// Run serves the fake until ctx ends.
func (c *fakeCloudflare) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- c.srv.Serve(c.ln) }()
	c.log.Info("fake cloudflare started", "url", c.URL(), "zone", devZone)
	select {
	case err := <-errc:
		return fmt.Errorf("fake cloudflare: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("fake cloudflare shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases a fake that will not Run.
func (c *fakeCloudflare) Close() { _ = c.srv.Close(); _ = c.ln.Close() }
