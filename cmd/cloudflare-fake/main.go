// Command cloudflare-fake serves the fake Cloudflare DNS records API of
// package cftest as a process of its own, for a ddns service that runs
// outside wardnet-dev (compose.yaml). It holds one zone in memory and lists
// its records at GET /dev/dns. It is for development only: it checks the
// bearer token it is given, and nothing else.
//
//	cloudflare-fake --addr :8787 --zone wardnet.test --zone-id 000000000000000000000000000000d0 --token-file /keys/cloudflare-token
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
)

func main() {
	addr := flag.String("addr", ":8787", "listen address")
	zone := flag.String("zone", "wardnet.test", "the zone's name")
	zoneID := flag.String("zone-id", "000000000000000000000000000000d0", "the zone's id (32 hex digits)")
	tokenFile := flag.String("token-file", "", "file holding the API token the fake accepts (required)")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(*addr, *zone, *zoneID, *tokenFile, log); err != nil {
		log.Error("cloudflare-fake failed", "err", err)
		os.Exit(1)
	}
}

func run(addr, zone, zoneID, tokenFile string, log *slog.Logger) error {
	if tokenFile == "" {
		return errors.New("--token-file is required")
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	fake := cftest.New(strings.TrimSpace(string(token)), cftest.WithZone(zoneID, zone))
	mux := http.NewServeMux()
	mux.Handle("GET /dev/dns", fake.ListingHandler())
	mux.Handle("/", fake)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("cloudflare-fake serving", "addr", addr, "zone", zone, "zone_id", zoneID)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
