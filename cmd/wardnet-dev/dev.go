package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/tenants"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

// databases are the Postgres databases wardnet-dev creates, one per service:
// each service owns its tables.
var databases = []string{tenants.Name, ddns.Name, tunneller.Name}

// runDev starts Postgres, NATS and the services, runs them until ctx ends
// or one of them fails, and stops them in reverse order: the services, then
// NATS, then Postgres (deferred calls run last-in, first-out).
func runDev(ctx context.Context, cfg config, stdout io.Writer, log *slog.Logger) error {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	// 0755: when we run as root, Postgres runs as user postgres and must be
	// able to enter the data dir to reach its own directory.
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	unlock, err := lockDataDir(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	if err := checkAddrsFree(cfg); err != nil {
		return err
	}
	log.Info("starting wardnet-dev", "data_dir", dataDir)

	pg, err := startPostgres(ctx, dataDir, cfg, log)
	if err != nil {
		return err
	}
	defer pg.stop(log)
	if err := pg.createDatabases(ctx, log, databases...); err != nil {
		return err
	}

	ns, err := startNATS(dataDir, cfg.NATSPort, log)
	if err != nil {
		return err
	}
	defer stopNATS(ns, log)

	cf, err := startFakeCloudflare(dataDir, log)
	if err != nil {
		return err
	}
	defer cf.Close()

	svcs, err := startServices(ctx, cfg, dataDir, ns.ClientURL(), pg, cf, log)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return cf.Run(gctx) })
	for _, s := range svcs {
		g.Go(func() error { return s.Run(gctx) })
	}
	if pg.cluster != nil {
		g.Go(func() error {
			select {
			case <-pg.cluster.Done():
				return fmt.Errorf("postgres exited unexpectedly; see %s", pg.logPath)
			case <-gctx.Done():
				return nil
			}
		})
	}
	printBanner(stdout, banner{dataDir: dataDir, natsURL: ns.ClientURL(), pg: pg, services: svcs, cloudflare: cf})
	err = g.Wait()
	log.Info("services stopped")
	return err
}

// devService is one of the three services as wardnet-dev runs it.
type devService struct {
	name string
	runner
}

type runner interface {
	Run(ctx context.Context) error
	Addr() net.Addr
	Close()
}

// startServices starts the three services on the embedded NATS and their
// own databases, ddns on the fake Cloudflare cf. On failure it releases
// those already started.
func startServices(ctx context.Context, cfg config, dataDir, natsURL string, pg *postgres, cf *fakeCloudflare, log *slog.Logger) (_ []devService, err error) {
	var started []devService
	defer func() {
		if err != nil {
			for _, s := range started {
				s.Close()
			}
		}
	}()
	shared := func(c host.Config, name, addr string) host.Config {
		c.NATSURL = natsURL
		c.DatabaseURL = pg.url(name)
		c.HTTPAddr = addr
		c.StreamReplicas = 1
		c.LogLevel = cfg.LogLevel
		return c
	}
	opt := host.WithLogger(log)

	tc := tenants.DefaultConfig()
	tc.Config = shared(tc.Config, tenants.Name, cfg.TenantsAddr)
	// The public API shares the ops listener, without PROXY protocol; the
	// one region is "local"; codes are logged and echoed by the API.
	tc.KnownRegions = devRegion
	tc.MailSender = tenants.MailLog
	if err := tenants.UseDevKeys(&tc, filepath.Join(dataDir, "keys")); err != nil {
		return nil, err
	}
	t, err := tenants.New(ctx, tc, tenants.WithServiceOptions(opt))
	if err != nil {
		return nil, withFlagHint(err, "tenants-addr")
	}
	started = append(started, devService{tenants.Name, t})

	// ddns serves the region "local" under wardnet.test, on the fake
	// Cloudflare, with its API beside /healthz and GET /dev/dns listing
	// the fake's records. Its records are checked for drift every 30
	// seconds: the fake forgets them when wardnet-dev stops.
	dc := ddns.DefaultConfig()
	dc.Config = shared(dc.Config, ddns.Name, cfg.DDNSAddr)
	dc.Region = devRegion
	dc.DNSZone = devZone
	dc.CloudflareZoneID = devZoneID
	dc.CloudflareAPITokenPath = cf.tokenPath
	dc.CloudflareURL = cf.URL()
	dc.JWKSURL = "http://" + dialable(t.Addr()) + tokens.JWKSPath
	dc.DNSDriftInterval = 30 * time.Second
	d, err := ddns.New(ctx, dc, ddns.WithServiceOptions(opt))
	if err != nil {
		return nil, withFlagHint(err, "ddns-addr")
	}
	d.Handle("GET /dev/dns", cf.Listing())
	started = append(started, devService{ddns.Name, d})

	// tunneller runs one edge node of region "local" under wardnet.test:
	// its tunnel endpoint beside /healthz, its SNI listeners without
	// PROXY protocol (nothing is in front of them), tokens verified with
	// the JWKS of tenants.
	uc := tunneller.DefaultConfig()
	uc.Config = shared(uc.Config, tunneller.Name, cfg.TunnellerAddr)
	uc.Region = devRegion
	uc.DNSZone = devZone
	uc.JWKSURL = dc.JWKSURL
	uc.HTTPSAddr = cfg.TunnelHTTPS
	uc.DoTAddr = cfg.TunnelDoT
	uc.ProxyProtocol = "off"
	uc.NodeID = devNodeID
	uc.DrainGrace = 5 * time.Second
	uc.UDPBind = "127.0.0.1"
	u, err := tunneller.New(ctx, uc, tunneller.WithServiceOptions(opt))
	if err != nil {
		return nil, withFlagHint(err, tunnellerFlag(err))
	}
	started = append(started, devService{tunneller.Name, u})
	return started, nil
}

// devNodeID is the one edge node's id in presence.
const devNodeID = "wardnet-dev"

// tunnellerFlag names the flag of the tunneller's address that err is
// about (the API's, or an SNI listener's).
func tunnellerFlag(err error) string {
	switch {
	case strings.Contains(err.Error(), "WARDNET_TUNNEL_HTTPS_ADDR"):
		return "tunnel-https-addr"
	case strings.Contains(err.Error(), "WARDNET_TUNNEL_DOT_ADDR"):
		return "tunnel-dot-addr"
	}
	return "tunneller-addr"
}

// dialable is a listener's address as a client on this machine reaches
// it: an unspecified host (":8080") is loopback.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// withFlagHint names the flag that moves a service whose address is taken.
func withFlagHint(err error, flag string) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w; move it with --%s", err, flag)
	}
	return err
}

// checkAddrsFree fails fast, before anything starts, when an address is
// taken, and names the flag that moves it.
func checkAddrsFree(cfg config) error {
	for _, a := range []struct{ addr, flag string }{
		{natsAddr(cfg.NATSPort), "nats-port"},
		{cfg.TenantsAddr, "tenants-addr"},
		{cfg.DDNSAddr, "ddns-addr"},
		{cfg.TunnellerAddr, "tunneller-addr"},
		{cfg.TunnelHTTPS, "tunnel-https-addr"},
		{cfg.TunnelDoT, "tunnel-dot-addr"},
	} {
		ln, err := net.Listen("tcp", a.addr)
		if err != nil {
			return fmt.Errorf("cannot listen on %s (%w); move it with --%s", a.addr, err, a.flag)
		}
		_ = ln.Close()
	}
	return nil
}

// lockDataDir keeps a second wardnet-dev off the same data: two NATS
// servers on one JetStream store would corrupt it. The lock goes with the
// process, however it ends.
func lockDataDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "wardnet-dev.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is in use by another wardnet-dev; stop it or pass another --data-dir", dir)
	}
	return func() { f.Close() }, nil
}
