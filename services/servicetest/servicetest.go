// Package servicetest starts the services on the shared test environment
// exactly as production assembles them: through services/tenants.New,
// services/ddns.New and services/tunneller.New, the one assembly of each, on an in-process NATS
// (testenv.StartNATS) and a fresh Postgres database (testenv.Postgres). The
// gateways' tests, the end-to-end tests and the benchmarks all start their
// services here; they change only what a test must control, through the
// services' own options (a clock, a mail sender, a fake Cloudflare,
// shorter timings).
package servicetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/dns"
	"github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/tenants"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

// Region is the region the test configurations serve; OtherRegion is one
// more that tenants knows, for tests of what a region does not see.
const (
	Region      = "local"
	OtherRegion = "euc"
)

// ReadyWithin bounds the wait for a started service's /readyz.
const ReadyWithin = 30 * time.Second

// Tenants is a running tenants service.
type Tenants struct {
	*tenants.Service
	// URL is the base URL of its API; OpsURL that of its ops listener
	// (/healthz, /readyz, /metrics), the same unless Config.APIAddr is
	// set.
	URL, OpsURL string
	Config      tenants.Config
}

// TenantsConfig is the configuration wardnet-dev gives tenants, on n and
// db: regions Region and OtherRegion, codes echoed by the API, fresh dev
// keys in a temporary directory, an ephemeral loopback port.
func TenantsConfig(tb testing.TB, n *testenv.NATS, db *testenv.DB) tenants.Config {
	tb.Helper()
	cfg := tenants.DefaultConfig()
	cfg.NATSURL = n.URL
	cfg.DatabaseURL = host.DSN(db.URL)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.StreamReplicas = 1
	cfg.KnownRegions = Region + "," + OtherRegion
	cfg.MailSender = tenants.MailLog
	if err := tenants.UseDevKeys(&cfg, tb.TempDir()); err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// StartTenants assembles a tenants service from cfg and opts, serves it
// until the test ends and waits until it is ready. Its logs are dropped
// unless opts set a logger (tenants.WithServiceOptions(host.WithLogger)).
func StartTenants(tb testing.TB, cfg tenants.Config, opts ...tenants.Option) *Tenants {
	tb.Helper()
	opts = append([]tenants.Option{tenants.WithServiceOptions(host.WithLogger(slog.New(slog.DiscardHandler)))}, opts...)
	svc, err := tenants.New(context.Background(), cfg, opts...)
	if err != nil {
		tb.Fatalf("tenants: %v", err)
	}
	ops := Run(tb, "tenants", svc, svc.Addr().String(), ReadyWithin)
	return &Tenants{Service: svc, URL: "http://" + svc.APIAddr().String(), OpsURL: ops, Config: cfg}
}

// DDNS is a running ddns service.
type DDNS struct {
	*ddns.Service
	// URL is the base URL of its API; OpsURL that of its ops listener,
	// the same unless Config.APIAddr is set.
	URL, OpsURL string
	Config      ddns.Config
}

// DDNSConfig is the configuration wardnet-dev gives ddns, on n and db:
// region Region, zone "dyn."+cf.ZoneName at the fake Cloudflare cf, whose
// token it reads from a file, and daemon tokens checked with the JWKS of
// the tenants service at tenantsURL.
func DDNSConfig(tb testing.TB, n *testenv.NATS, db *testenv.DB, cf *cftest.Server, cfToken, tenantsURL string) ddns.Config {
	tb.Helper()
	cfg := ddns.DefaultConfig()
	cfg.NATSURL = n.URL
	cfg.DatabaseURL = host.DSN(db.URL)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.StreamReplicas = 1
	cfg.Region = Region
	cfg.DNSZone = "dyn." + cf.ZoneName
	cfg.CloudflareZoneID = cf.ZoneID
	cfg.CloudflareAPITokenPath = SecretFile(tb, "cloudflare-token", cfToken+"\n")
	cfg.CloudflareURL = cf.URL
	cfg.JWKSURL = tenantsURL + tokens.JWKSPath
	return cfg
}

// QuickDDNS are the options that shorten the DNS projector's, the
// reconciler's and the Cloudflare client's timings to a test's scale.
func QuickDDNS() []ddns.Option {
	return []ddns.Option{
		ddns.WithProjectorOptions(projectors.Options{PinnedTTL: 2 * time.Second, AckWait: 5 * time.Second, RetryMax: time.Second}),
		ddns.WithReconcilerOptions(dns.ReconcilerConfig{Poll: 100 * time.Millisecond, BackoffMin: 50 * time.Millisecond, BackoffMax: time.Second}),
		ddns.WithCloudflareRetry(cloudflare.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 100 * time.Millisecond, MaxRetryAfter: time.Second}),
	}
}

// StartDDNS assembles a ddns service from cfg and opts, serves it until
// the test ends and waits until it is ready (which includes having fetched
// the tenants JWKS). Its logs are dropped unless opts set a logger.
func StartDDNS(tb testing.TB, cfg ddns.Config, opts ...ddns.Option) *DDNS {
	tb.Helper()
	opts = append([]ddns.Option{ddns.WithServiceOptions(host.WithLogger(slog.New(slog.DiscardHandler)))}, opts...)
	svc, err := ddns.New(context.Background(), cfg, opts...)
	if err != nil {
		tb.Fatalf("ddns: %v", err)
	}
	ops := Run(tb, "ddns", svc, svc.Addr().String(), ReadyWithin)
	return &DDNS{Service: svc, URL: "http://" + svc.APIAddr().String(), OpsURL: ops, Config: cfg}
}

// TunnelZone is the zone the test tunneller routes under: a TLS
// connection to <anything>.<slug>.dyn.example.net reaches network <slug>
// (the zone of DDNSConfig at cftest's default zone).
const TunnelZone = "dyn.example.net"

// Tunneller is a running tunneller service: one edge node.
type Tunneller struct {
	*tunneller.Service
	// URL is the base URL of its tunnel endpoint; OpsURL that of its ops
	// listener, the same unless Config.APIAddr is set.
	URL, OpsURL string
	// HTTPSAddr and DoTAddr are its SNI listeners' addresses (for ports
	// 443 and 853), "" when off.
	HTTPSAddr, DoTAddr string
	Config             tunneller.Config
}

// TunnellerConfig is the configuration wardnet-dev gives tunneller, on n
// and db: region Region, zone TunnelZone, daemon tokens checked with the
// JWKS of the tenants service at tenantsURL, both SNI listeners on
// ephemeral loopback ports without PROXY protocol (a test that sends the
// header sets ProxyProtocol "required"), node id "test-node" and a drain
// grace of a second.
func TunnellerConfig(tb testing.TB, n *testenv.NATS, db *testenv.DB, tenantsURL string) tunneller.Config {
	tb.Helper()
	cfg := tunneller.DefaultConfig()
	cfg.NATSURL = n.URL
	cfg.DatabaseURL = host.DSN(db.URL)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.StreamReplicas = 1
	cfg.Region = Region
	cfg.DNSZone = TunnelZone
	cfg.JWKSURL = tenantsURL + tokens.JWKSPath
	cfg.HTTPSAddr = "127.0.0.1:0"
	cfg.DoTAddr = "127.0.0.1:0"
	cfg.ProxyProtocol = "off"
	cfg.NodeID = "test-node"
	cfg.DrainGrace = time.Second
	// No UDP relay: parallel tests would bind the same pool's ports. A
	// test of the relay sets UDPBind and a range of its own.
	cfg.UDPBind = tunneller.UDPOff
	return cfg
}

// StartTunneller assembles a tunneller service from cfg and opts, serves
// it until the test ends and waits until it is ready (its routing table
// caught up with the log, the tenants JWKS fetched). Its logs are dropped
// unless opts set a logger.
func StartTunneller(tb testing.TB, cfg tunneller.Config, opts ...tunneller.Option) *Tunneller {
	tb.Helper()
	opts = append([]tunneller.Option{tunneller.WithServiceOptions(host.WithLogger(slog.New(slog.DiscardHandler)))}, opts...)
	svc, err := tunneller.New(context.Background(), cfg, opts...)
	if err != nil {
		tb.Fatalf("tunneller: %v", err)
	}
	ops := Run(tb, "tunneller", svc, svc.Addr().String(), ReadyWithin)
	u := &Tunneller{Service: svc, URL: "http://" + svc.APIAddr().String(), OpsURL: ops, Config: cfg}
	if a := svc.HTTPSAddr(); a != nil {
		u.HTTPSAddr = a.String()
	}
	if a := svc.DoTAddr(); a != nil {
		u.DoTAddr = a.String()
	}
	return u
}

// Run serves svc until the test ends, checks the runtime endpoints of its
// ops listener at addr and returns that listener's base URL. /healthz must
// answer 200 at once, before anything is required to be ready, and
// /readyz within readyWithin (0: at once as well); while /readyz fails,
// the test's error shows its body. A Run that ends before the service is
// ready, or with an error when the test ends and stops it, fails the
// test. name names the service in failures.
func Run(tb testing.TB, name string, svc host.Runner, addr string, readyWithin time.Duration) string {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("%s Run: %v", name, err)
		}
	})
	url := "http://" + addr
	probe := func(path string) error {
		ctx, cancel := context.WithTimeout(ctx, ReadyWithin)
		defer cancel()
		return host.Probe(ctx, addr, path)
	}
	if err := probe("/healthz"); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	testenv.Eventually(tb, readyWithin, func() error {
		select {
		case err := <-done:
			done <- err
			return fmt.Errorf("%s stopped before it was ready: %v", name, err)
		default:
		}
		if err := probe("/readyz"); err != nil {
			body, gerr := get(url + "/readyz")
			if gerr != nil {
				return err
			}
			return fmt.Errorf("%w: %s", err, body)
		}
		return nil
	})
	return url
}

// Get returns the body of GET url, whatever its status, and fails the test
// when there is no answer.
func Get(tb testing.TB, url string) string {
	tb.Helper()
	body, err := get(url)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

func get(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// CheckNATSClient fails the test unless n has a client connection named
// name: each service's connection carries the service's name.
func CheckNATSClient(tb testing.TB, n *testenv.NATS, name string) {
	tb.Helper()
	connz, err := n.Server.Connz(&server.ConnzOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range connz.Conns {
		if c.Name == name {
			return
		}
	}
	tb.Errorf("no NATS connection named %q", name)
}

// SecretFile writes content to a file of its own, readable by its owner
// only, and returns its path: how the services take their secrets.
func SecretFile(tb testing.TB, name, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// HoldProjection locks the checkpoint row of projection name in db until
// the test ends or release is called: its projector waits at its next
// event, so the read model falls behind the log as it would behind a slow
// database, while the service keeps serving.
func HoldProjection(tb testing.TB, db *testenv.DB, name string) (release func()) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM projections WHERE name = $1 FOR UPDATE`, name); err != nil {
		_ = tx.Rollback(ctx)
		tb.Fatalf("hold projection %s: %v", name, err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	tb.Cleanup(release)
	return release
}
