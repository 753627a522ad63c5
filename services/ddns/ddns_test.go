package ddns_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare/cftest"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/services/ddns"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestLoadConfig(t *testing.T) {
	t.Setenv("WARDNET_NATS_URL", "nats://127.0.0.1:4222")
	t.Setenv("WARDNET_DATABASE_URL", "postgres://u@127.0.0.1/x")
	t.Setenv("WARDNET_STREAM_REPLICAS", "1")
	t.Setenv("WARDNET_REGION", "euc")
	t.Setenv("WARDNET_DNS_ZONE", "my.wardnet.services")
	t.Setenv("WARDNET_CLOUDFLARE_ZONE_ID", "023e105f4ecef8ad9ca31a8372d0c353")
	t.Setenv("WARDNET_CLOUDFLARE_API_TOKEN_PATH", servicetest.SecretFile(t, "cloudflare-token", "cf-token\n"))
	t.Setenv("WARDNET_JWKS_URL", "http://tenants:8080/.well-known/jwks.json")
	for _, v := range []string{"WARDNET_HTTP_ADDR", "WARDNET_CLOUDFLARE_URL", "WARDNET_DNS_DRIFT_INTERVAL", "WARDNET_API_ADDR", "WARDNET_API_PROXY_PROTOCOL", "WARDNET_CLOUDFLARE_BUDGET", "WARDNET_EDGE_ADDRESSES"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	cfg, err := ddns.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":8081" || cfg.CloudflareURL != cloudflare.DefaultBaseURL || cfg.DNSDriftInterval != ddns.DefaultDriftInterval ||
		cfg.APIAddr != "" || cfg.APIProxyProtocol != "required" || cfg.CloudflareBudget != 1000 || cfg.EdgeAddresses != "" {
		t.Fatalf("defaults: %+v", cfg)
	}
	// The start-up log shows the token file's path, never the token.
	desc := host.Describe(cfg).String()
	if strings.Contains(desc, "cf-token") || !strings.Contains(desc, "WARDNET_CLOUDFLARE_API_TOKEN_PATH") {
		t.Errorf("description: %s", desc)
	}
}

// Validate names every variable that is missing or wrong, at once.
func TestValidateNamesEveryBadVariable(t *testing.T) {
	cfg := ddns.DefaultConfig()
	cfg.NATSURL = "nats://127.0.0.1:4222"
	cfg.DatabaseURL = "postgres://u@127.0.0.1/x"
	cfg.StreamReplicas = 1
	cfg.APIAddr = "nowhere"
	cfg.APIProxyProtocol = "sometimes"
	cfg.Region = "Euc!"
	cfg.DNSZone = "Wardnet.Services."
	cfg.CloudflareURL = "ftp://api.cloudflare.com"
	cfg.JWKSURL = "tenants/jwks"
	cfg.CloudflareAPITokenPath = filepath.Join(t.TempDir(), "missing")
	cfg.DNSDriftInterval = time.Second
	cfg.CloudflareBudget = 0
	cfg.EdgeAddresses = "10.0.0.1"
	err := cfg.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	for _, v := range []string{
		"WARDNET_API_ADDR", "WARDNET_API_PROXY_PROTOCOL", "WARDNET_REGION", "WARDNET_DNS_ZONE",
		"WARDNET_CLOUDFLARE_ZONE_ID", "WARDNET_CLOUDFLARE_API_TOKEN_PATH", "WARDNET_CLOUDFLARE_URL",
		"WARDNET_JWKS_URL", "WARDNET_DNS_DRIFT_INTERVAL", "WARDNET_CLOUDFLARE_BUDGET", "WARDNET_EDGE_ADDRESSES",
	} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("the error does not name %s:\n%v", v, err)
		}
	}

	// Each setting alone.
	good := ddns.DefaultConfig()
	good.NATSURL, good.DatabaseURL, good.StreamReplicas = cfg.NATSURL, cfg.DatabaseURL, 1
	good.Region, good.DNSZone = "euc", "my.wardnet.services"
	good.CloudflareZoneID, good.CloudflareAPITokenPath = "023e105f4ecef8ad9ca31a8372d0c353", servicetest.SecretFile(t, "cloudflare-token", "cf-token\n")
	good.JWKSURL = "https://tenants.internal/.well-known/jwks.json"
	if err := good.Validate(); err != nil {
		t.Fatalf("a good configuration: %v", err)
	}
	empty := servicetest.SecretFile(t, "cloudflare-token", "\n")
	for _, tc := range []struct {
		name string
		edit func(*ddns.Config)
		want string
	}{
		{"two regions", func(c *ddns.Config) { c.Region = "euc,usw" }, "WARDNET_REGION"},
		{"no region", func(c *ddns.Config) { c.Region = "" }, "WARDNET_REGION"},
		{"one-label zone", func(c *ddns.Config) { c.DNSZone = "services" }, "WARDNET_DNS_ZONE"},
		{"hyphen at a label's end", func(c *ddns.Config) { c.DNSZone = "my-.wardnet.services" }, "WARDNET_DNS_ZONE"},
		{"empty label", func(c *ddns.Config) { c.DNSZone = "my..services" }, "WARDNET_DNS_ZONE"},
		{"empty token file", func(c *ddns.Config) { c.CloudflareAPITokenPath = empty }, "WARDNET_CLOUDFLARE_API_TOKEN_PATH"},
		{"credentials in the JWKS URL", func(c *ddns.Config) { c.JWKSURL = "https://u:p@tenants/jwks" }, "WARDNET_JWKS_URL"},
		{"no JWKS URL", func(c *ddns.Config) { c.JWKSURL = "" }, "WARDNET_JWKS_URL"},
		{"drift check too rare", func(c *ddns.Config) { c.DNSDriftInterval = 48 * time.Hour }, "WARDNET_DNS_DRIFT_INTERVAL"},
		{"budget over Cloudflare's limit with its burst", func(c *ddns.Config) { c.CloudflareBudget = 1181 }, "WARDNET_CLOUDFLARE_BUDGET"},
		{"negative budget", func(c *ddns.Config) { c.CloudflareBudget = -5 }, "WARDNET_CLOUDFLARE_BUDGET"},
		{"a private edge address", func(c *ddns.Config) { c.EdgeAddresses = "1.1.1.1,192.168.1.10" }, "WARDNET_EDGE_ADDRESSES"},
		{"a documentation edge address", func(c *ddns.Config) { c.EdgeAddresses = "2001:db8::1" }, "WARDNET_EDGE_ADDRESSES"},
		{"an edge address that is no address", func(c *ddns.Config) { c.EdgeAddresses = "edge.example.net" }, "WARDNET_EDGE_ADDRESSES"},
		{"an IPv4-mapped edge address", func(c *ddns.Config) { c.EdgeAddresses = "::ffff:1.1.1.1" }, "WARDNET_EDGE_ADDRESSES"},
		{"an edge address with a prefix", func(c *ddns.Config) { c.EdgeAddresses = "1.1.1.0/24" }, "WARDNET_EDGE_ADDRESSES"},
		{"an empty entry", func(c *ddns.Config) { c.EdgeAddresses = "1.1.1.1,,1.0.0.1" }, "WARDNET_EDGE_ADDRESSES"},
	} {
		c := good
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
	for _, edges := range []string{"", " ", "1.1.1.1", "1.1.1.1, 2606:4700:4700::1111 ,1.0.0.1", "1.1.1.1,1.1.1.1"} {
		c := good
		c.EdgeAddresses = edges
		if err := c.Validate(); err != nil {
			t.Errorf("edge addresses %q: %v", edges, err)
		}
	}
	for _, n := range []int{1, 1180} {
		c := good
		c.CloudflareBudget = n
		if err := c.Validate(); err != nil {
			t.Errorf("a budget of %d: %v", n, err)
		}
	}
}

// jwksServer serves a JWKS of a fresh key, standing in for tenants, and
// returns its base URL.
func jwksServer(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set, err := tokens.NewKeySet(pub)
	if err != nil {
		t.Fatal(err)
	}
	h, err := tokens.JWKSHandler(set)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// The service runs on a caller's NATS and database, answers the runtime
// endpoints, is ready once it has the token keys and its DNS projection
// runs, and stops when its context ends.
func TestRunsOnGivenNATSAndDatabase(t *testing.T) {
	t.Parallel()
	n, db := testenv.StartNATS(t), testenv.Postgres(t)
	cfg := servicetest.DDNSConfig(t, n, db, cftest.NewServer(t, "token"), "token", jwksServer(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel) // after the service has stopped
	svc, err := ddns.New(ctx, cfg, ddns.WithServiceOptions(host.WithLogger(slog.New(slog.DiscardHandler))))
	if err != nil {
		t.Fatal(err)
	}
	ops := servicetest.Run(t, ddns.Name, svc, svc.Addr().String(), servicetest.ReadyWithin)
	body := servicetest.Get(t, ops+"/readyz")
	for _, check := range []string{`"jwks"`, `"projection.dns_local"`} {
		if !strings.Contains(body, check) {
			t.Errorf("/readyz does not check %s: %s", check, body)
		}
	}
	if got := servicetest.Get(t, ops+"/v1/health"); got != "" {
		t.Errorf("/v1/health: %q", got)
	}
	servicetest.CheckNATSClient(t, n, ddns.Name)
}
