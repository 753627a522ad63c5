package ddns

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/report"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/cloudflare"
	"github.com/wardnet/wardnet-cloud/internal/host"
)

// Name is the service's name: its NATS connection name and the "service"
// attribute of its logs.
const Name = "ddns"

// DefaultHTTPAddr is where the service listens when WARDNET_HTTP_ADDR is
// unset.
const DefaultHTTPAddr = ":8081"

// DefaultDriftInterval is how often the reconciler compares the zone with
// the desired records when WARDNET_DNS_DRIFT_INTERVAL is unset.
const DefaultDriftInterval = 10 * time.Minute

// Config is the service's configuration: the settings every service shares
// (see package host) and its own. Secrets come only from files named by
// *_PATH variables. docs/operations.md describes each variable.
type Config struct {
	host.Config
	host.PublicAPI

	// Region is the region this deployment serves: it takes the reports
	// of the networks registered in it and keeps their records.
	Region string `envconfig:"WARDNET_REGION"`
	// DNSZone is the parent name of the networks' names: a network's
	// records are <slug>.<zone> and _acme-challenge.<slug>.<zone>.
	DNSZone string `envconfig:"WARDNET_DNS_ZONE"`
	// CloudflareZoneID is the Cloudflare zone that holds DNSZone.
	CloudflareZoneID string `envconfig:"WARDNET_CLOUDFLARE_ZONE_ID"`
	// CloudflareAPITokenPath is a file holding the Cloudflare API token
	// (DNS:Edit on that zone only).
	CloudflareAPITokenPath string `envconfig:"WARDNET_CLOUDFLARE_API_TOKEN_PATH"`
	// CloudflareURL is Cloudflare's API base URL (a fake's in tests and
	// wardnet-dev).
	CloudflareURL string `envconfig:"WARDNET_CLOUDFLARE_URL"`
	// JWKSURL is the tenants service's JWKS (…/.well-known/jwks.json),
	// whose keys verify the daemons' tokens.
	JWKSURL string `envconfig:"WARDNET_JWKS_URL"`
	// DNSDriftInterval is how often the reconciler compares the zone with
	// the desired records and repairs what was changed behind its back.
	DNSDriftInterval time.Duration `envconfig:"WARDNET_DNS_DRIFT_INTERVAL"`
	// CloudflareBudget is how many requests the service may send to
	// Cloudflare in any 5 minutes, of the 1 200 Cloudflare allows per
	// account: leave room for whatever else uses the account.
	CloudflareBudget int `envconfig:"WARDNET_CLOUDFLARE_BUDGET"`
	// EdgeAddresses are the public addresses of this region's edge nodes,
	// comma-separated IPv4 and IPv6: every network of the region that
	// publishes records also publishes A/AAAA *.<slug>.<zone> toward them,
	// so that names under its own reach the tunnel. Empty publishes no such
	// record.
	EdgeAddresses string `envconfig:"WARDNET_EDGE_ADDRESSES"`
}

// budget is the client's token bucket for CloudflareBudget: refilled
// evenly over 5 minutes, with the default burst (or less, for a small
// budget).
func (c Config) budget() cloudflare.BudgetConfig {
	b := cloudflare.DefaultBudget
	b.Requests = c.CloudflareBudget
	b.Burst = min(b.Burst, c.CloudflareBudget)
	return b
}

// DefaultConfig is the configuration before the environment is read.
func DefaultConfig() Config {
	c := Config{Config: host.Defaults(), PublicAPI: host.PublicAPIDefaults()}
	c.HTTPAddr = DefaultHTTPAddr
	c.CloudflareURL = cloudflare.DefaultBaseURL
	c.DNSDriftInterval = DefaultDriftInterval
	c.CloudflareBudget = cloudflare.DefaultBudget.Requests
	return c
}

// LoadConfig reads the configuration from the environment (WARDNET_*) over
// the defaults and validates it.
func LoadConfig() (Config, error) { return host.LoadConfig(DefaultConfig()) }

// Validate reports every invalid or missing setting at once. It reads the
// Cloudflare token file, so that a missing secret fails here.
func (c Config) Validate() error {
	errs := []error{c.Config.Validate(), c.PublicAPI.Validate()} // InvalidConfig drops nil ones
	if _, err := c.region(); err != nil {
		errs = append(errs, err)
	}
	if err := checkZone(c.DNSZone); err != nil {
		errs = append(errs, fmt.Errorf("WARDNET_DNS_ZONE (the parent of the networks' names, e.g. my.wardnet.services): %w", err))
	}
	if strings.TrimSpace(c.CloudflareZoneID) == "" {
		errs = append(errs, errors.New("WARDNET_CLOUDFLARE_ZONE_ID is required"))
	}
	if _, err := c.cloudflareToken(); err != nil {
		errs = append(errs, err)
	}
	if err := checkHTTPURL(c.CloudflareURL); err != nil {
		errs = append(errs, fmt.Errorf("WARDNET_CLOUDFLARE_URL: %w", err))
	}
	if c.JWKSURL == "" {
		errs = append(errs, errors.New("WARDNET_JWKS_URL is required (the tenants service's /.well-known/jwks.json)"))
	} else if err := checkHTTPURL(c.JWKSURL); err != nil {
		errs = append(errs, fmt.Errorf("WARDNET_JWKS_URL: %w", err))
	}
	if c.DNSDriftInterval < 10*time.Second || c.DNSDriftInterval > 24*time.Hour {
		errs = append(errs, fmt.Errorf("WARDNET_DNS_DRIFT_INTERVAL must be between 10s and 24h, got %s", c.DNSDriftInterval))
	}
	if b := c.budget(); b.Requests < 1 || b.Requests+b.Burst > cloudflare.AccountLimit {
		errs = append(errs, fmt.Errorf("WARDNET_CLOUDFLARE_BUDGET must be between 1 and %d requests per 5 minutes (Cloudflare allows %d, and bursts of %d come on top), got %d",
			cloudflare.AccountLimit-b.Burst, cloudflare.AccountLimit, b.Burst, c.CloudflareBudget))
	}
	if _, err := c.edgeAddresses(); err != nil {
		errs = append(errs, err)
	}
	return host.InvalidConfig(errs...)
}

// edgeAddresses parses WARDNET_EDGE_ADDRESSES: comma-separated addresses,
// each public by the rules of the daemons' reports
// (report.ParsePublicAddress), sorted, once each. Empty is none.
func (c Config) edgeAddresses() ([]netip.Addr, error) {
	if strings.TrimSpace(c.EdgeAddresses) == "" {
		return nil, nil
	}
	const what = "WARDNET_EDGE_ADDRESSES (this region's edge nodes' public IPv4 and IPv6 addresses, comma-separated)"
	var out []netip.Addr
	for i, f := range strings.Split(c.EdgeAddresses, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, fmt.Errorf("%s: entry %d is empty", what, i+1)
		}
		a, err := report.ParsePublicAddress(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out), nil
}

// region is the one region of WARDNET_REGION.
func (c Config) region() (naming.Region, error) {
	rs, err := naming.ParseRegions(c.Region)
	if err != nil || len(rs) != 1 {
		return "", fmt.Errorf("WARDNET_REGION is required: the one region this deployment serves, e.g. euc (got %q)", c.Region)
	}
	return rs[0], nil
}

// cloudflareToken reads the API token from its file. Errors name the
// variable and the path, never the file's content.
func (c Config) cloudflareToken() (string, error) {
	if c.CloudflareAPITokenPath == "" {
		return "", errors.New("WARDNET_CLOUDFLARE_API_TOKEN_PATH is required (a file holding the Cloudflare API token)")
	}
	b, err := os.ReadFile(c.CloudflareAPITokenPath)
	if err != nil {
		return "", fmt.Errorf("WARDNET_CLOUDFLARE_API_TOKEN_PATH: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("WARDNET_CLOUDFLARE_API_TOKEN_PATH: %s is empty", c.CloudflareAPITokenPath)
	}
	return tok, nil
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	if u.User != nil {
		return errors.New("credentials do not belong in the URL")
	}
	return nil
}

// checkZone accepts a lower-case DNS name of at least two labels, without
// a trailing dot: labels of 1 to 63 letters, digits and hyphens, not at
// either end, 253 bytes in all.
func checkZone(zone string) error {
	if zone == "" {
		return errors.New("required")
	}
	if len(zone) > 253 || zone != strings.ToLower(zone) || !strings.Contains(zone, ".") {
		return fmt.Errorf("%q is not a lower-case DNS name of two labels or more", zone)
	}
	for label := range strings.SplitSeq(zone, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%q: bad label %q", zone, label)
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return fmt.Errorf("%q: bad label %q", zone, label)
			}
		}
	}
	return nil
}
