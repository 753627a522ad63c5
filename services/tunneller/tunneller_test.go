package tunneller_test

import (
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
	"github.com/wardnet/wardnet-cloud/services/servicetest"
	"github.com/wardnet/wardnet-cloud/services/tunneller"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// setRequired sets the variables without defaults.
func setRequired(t *testing.T) {
	t.Setenv("WARDNET_NATS_URL", "nats://127.0.0.1:4222")
	t.Setenv("WARDNET_DATABASE_URL", "postgres://u@127.0.0.1/x")
	t.Setenv("WARDNET_STREAM_REPLICAS", "1")
	t.Setenv("WARDNET_REGION", "euc")
	t.Setenv("WARDNET_DNS_ZONE", "my.wardnet.services")
	t.Setenv("WARDNET_JWKS_URL", "http://tenants:8080/.well-known/jwks.json")
}

// unset removes variables for the rest of the test (t.Setenv restores
// them afterwards).
func unset(t *testing.T, names ...string) {
	for _, n := range names {
		t.Setenv(n, "")
		os.Unsetenv(n)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	setRequired(t)
	unset(t, "WARDNET_HTTP_ADDR", "WARDNET_TUNNEL_HTTPS_ADDR", "WARDNET_TUNNEL_DOT_ADDR",
		"WARDNET_TUNNEL_PROXY_PROTOCOL", "WARDNET_NODE_ID", "WARDNET_PRESENCE_TTL", "WARDNET_TUNNEL_DRAIN_GRACE")
	cfg, err := tunneller.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":8082" || cfg.HTTPSAddr != ":8443" || cfg.DoTAddr != ":8853" {
		t.Errorf("addresses %q, %q, %q", cfg.HTTPAddr, cfg.HTTPSAddr, cfg.DoTAddr)
	}
	if cfg.ProxyProtocol != proxyproto.Required.String() || cfg.APIProxyProtocol != "required" {
		t.Errorf("PROXY protocol %q (SNI), %q (API): production requires it", cfg.ProxyProtocol, cfg.APIProxyProtocol)
	}
	if cfg.PresenceTTL != 15*time.Second || cfg.DrainGrace != 30*time.Second {
		t.Errorf("presence TTL %s, drain grace %s", cfg.PresenceTTL, cfg.DrainGrace)
	}
}

// Every invalid setting is reported at once, naming its variable.
func TestLoadConfigNamesEveryBadVariable(t *testing.T) {
	setRequired(t)
	unset(t, "WARDNET_REGION", "WARDNET_JWKS_URL")
	t.Setenv("WARDNET_DNS_ZONE", "not a zone")
	t.Setenv("WARDNET_TUNNEL_HTTPS_ADDR", "8443")
	t.Setenv("WARDNET_TUNNEL_DOT_ADDR", "127.0.0.1:99999")
	t.Setenv("WARDNET_TUNNEL_PROXY_PROTOCOL", "maybe")
	t.Setenv("WARDNET_NODE_ID", "no spaces please")
	t.Setenv("WARDNET_PRESENCE_TTL", "1500ms")
	t.Setenv("WARDNET_TUNNEL_DRAIN_GRACE", "1h")
	_, err := tunneller.LoadConfig()
	if err == nil {
		t.Fatal("LoadConfig accepted a bad configuration")
	}
	for _, v := range []string{
		"WARDNET_REGION", "WARDNET_JWKS_URL", "WARDNET_DNS_ZONE", "WARDNET_TUNNEL_HTTPS_ADDR",
		"WARDNET_TUNNEL_DOT_ADDR", "WARDNET_TUNNEL_PROXY_PROTOCOL", "WARDNET_NODE_ID",
		"WARDNET_PRESENCE_TTL", "WARDNET_TUNNEL_DRAIN_GRACE",
	} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("the error does not name %s:\n%v", v, err)
		}
	}
}

// An empty listener address turns that listener off; the node id defaults
// to the host name.
func TestListenersCanBeOff(t *testing.T) {
	setRequired(t)
	t.Setenv("WARDNET_TUNNEL_DOT_ADDR", "")
	unset(t, "WARDNET_NODE_ID")
	cfg, err := tunneller.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DoTAddr != "" {
		t.Errorf("DoTAddr %q", cfg.DoTAddr)
	}
}

// The service runs on a caller's NATS and database, answers the runtime
// endpoints, is ready once its routing table has caught up and the JWKS
// is fetched, names its NATS connection, and stops when its context ends.
func TestRunsOnGivenNATSAndDatabase(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	ten := servicetest.StartTenants(t, servicetest.TenantsConfig(t, n, testenv.Postgres(t)))
	u := servicetest.StartTunneller(t, servicetest.TunnellerConfig(t, n, testenv.Postgres(t), ten.URL))
	servicetest.CheckNATSClient(t, n, tunneller.Name)
	if u.HTTPSAddr == "" || u.DoTAddr == "" {
		t.Errorf("SNI listeners %q, %q", u.HTTPSAddr, u.DoTAddr)
	}
	if body := servicetest.Get(t, u.OpsURL+"/metrics"); !strings.Contains(body, "wardnet_edge_tunnels") {
		t.Errorf("/metrics has no wardnet_edge_tunnels:\n%.2000s", body)
	}
}

// A listener address that is taken fails New, naming the variable, and
// leaves nothing bound.
func TestTakenListenerFailsNew(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	ten := servicetest.StartTenants(t, servicetest.TenantsConfig(t, n, testenv.Postgres(t)))
	first := servicetest.StartTunneller(t, servicetest.TunnellerConfig(t, n, testenv.Postgres(t), ten.URL))
	cfg := servicetest.TunnellerConfig(t, n, testenv.Postgres(t), ten.URL)
	cfg.DoTAddr = first.DoTAddr
	free, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	cfg.HTTPSAddr = free.Addr().String()
	must(t, free.Close())
	_, err = tunneller.New(t.Context(), cfg, tunneller.WithServiceOptions(host.WithLogger(slog.New(slog.DiscardHandler))))
	if err == nil || !strings.Contains(err.Error(), "WARDNET_TUNNEL_DOT_ADDR") {
		t.Fatalf("New on a taken address: %v", err)
	}
	// Its HTTPS listener, bound before the failure, was released.
	ln, err := net.Listen("tcp", cfg.HTTPSAddr)
	must(t, err)
	_ = ln.Close()
}

// Forwarding between nodes takes all three mesh files and a forward
// address; one file alone is named as incomplete, and unreadable files
// fail New before anything listens.
func TestForwardConfig(t *testing.T) {
	setRequired(t)
	t.Setenv("WARDNET_FORWARD_CERT_PATH", "/nonexistent/cert.pem")
	t.Setenv("WARDNET_FORWARD_ADDR", "9444")
	_, err := tunneller.LoadConfig()
	if err == nil {
		t.Fatal("LoadConfig accepted a forward certificate without its key and bundle")
	}
	for _, v := range []string{"WARDNET_FORWARD_KEY_PATH", "WARDNET_FORWARD_BUNDLE_PATH", "WARDNET_FORWARD_ADDR"} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("the error does not name %s:\n%v", v, err)
		}
	}
	if strings.Contains(err.Error(), "WARDNET_FORWARD_CERT_PATH is required") {
		t.Errorf("the error asks for the file that is set:\n%v", err)
	}

	unset(t, "WARDNET_FORWARD_CERT_PATH", "WARDNET_FORWARD_ADDR")
	cfg, err := tunneller.LoadConfig()
	if err != nil {
		t.Fatalf("a lone node (no mesh files): %v", err)
	}
	if cfg.ForwardAddr != tunneller.DefaultForwardAddr {
		t.Errorf("ForwardAddr %q, want the default %q", cfg.ForwardAddr, tunneller.DefaultForwardAddr)
	}
}
