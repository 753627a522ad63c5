package tunneller

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/udpport"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/edge/sni"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// Name is the service's name: its NATS connection name and the "service"
// attribute of its logs.
const Name = "tunneller"

// DefaultHTTPAddr is where the service listens when WARDNET_HTTP_ADDR is
// unset.
const DefaultHTTPAddr = ":8082"

// The defaults of the edge's own settings.
const (
	// DefaultHTTPSAddr is the SNI listener for destination port 443, behind
	// the L4 proxy that takes the public :443.
	DefaultHTTPSAddr = ":8443"
	// DefaultDoTAddr is the SNI listener for destination port 853
	// (DNS over TLS).
	DefaultDoTAddr = ":8853"
	// DefaultPresenceTTL is how long a node's claim of a tunnel lasts
	// without a heartbeat.
	DefaultPresenceTTL = presence.DefaultTTL
	// DefaultDrainGrace is how long a stopping node waits for its daemons
	// to move before it closes their tunnels.
	DefaultDrainGrace = node.DefaultDrainGrace
	// DefaultForwardAddr is where the other nodes of the region forward
	// connections (contract §6.4's port); used only with the forward
	// certificates.
	DefaultForwardAddr = ":9444"
	// DefaultUDPBind is where the UDP relay binds the networks' ports.
	DefaultUDPBind = "0.0.0.0"
	// UDPOff as WARDNET_TUNNEL_UDP_BIND turns the UDP relay off.
	UDPOff = "off"
)

// maxDrainGrace bounds WARDNET_TUNNEL_DRAIN_GRACE: an orchestrator's stop
// timeout must cover it.
const maxDrainGrace = 10 * time.Minute

// Config is the service's configuration: the settings every service shares
// (see package host), its public API's listener, and the edge's own.
// docs/operations.md describes each variable; Describe renders all of it
// for the start-up log.
type Config struct {
	host.Config
	host.PublicAPI

	// Region is the region this node serves: it holds tunnels of that
	// region's networks only.
	Region string `envconfig:"WARDNET_REGION"`
	// DNSZone is the parent of the networks' names: a TLS connection to
	// <anything>.<slug>.<zone> reaches network <slug>'s daemon.
	DNSZone string `envconfig:"WARDNET_DNS_ZONE"`
	// JWKSURL is the tenants service's JWKS (…/.well-known/jwks.json),
	// whose keys verify the daemons' tokens.
	JWKSURL string `envconfig:"WARDNET_JWKS_URL"`
	// HTTPSAddr is the SNI listener whose connections reach the daemons'
	// port 443; empty turns it off.
	HTTPSAddr string `envconfig:"WARDNET_TUNNEL_HTTPS_ADDR"`
	// DoTAddr is the SNI listener whose connections reach the daemons'
	// port 853 (DNS over TLS); empty turns it off.
	DoTAddr string `envconfig:"WARDNET_TUNNEL_DOT_ADDR"`
	// ProxyProtocol is "required" (production: the L4 proxy prepends a
	// PROXY header naming the client) or "off" for both SNI listeners.
	ProxyProtocol string `envconfig:"WARDNET_TUNNEL_PROXY_PROTOCOL"`
	// NodeID names this node in presence (which node holds which
	// network's tunnel); the host name when empty. Unique in the region.
	NodeID string `envconfig:"WARDNET_NODE_ID"`
	// PresenceTTL is how long this node's claim of a tunnel lasts without
	// a heartbeat (refreshed every third of it).
	PresenceTTL time.Duration `envconfig:"WARDNET_PRESENCE_TTL"`
	// DrainGrace is how long a stopping node waits for its v2 daemons to
	// move (GOAWAY) before it closes the tunnels left with 4003.
	DrainGrace time.Duration `envconfig:"WARDNET_TUNNEL_DRAIN_GRACE"`
	// ForwardAddr is the listener on which the other nodes of the region
	// forward connections to the tunnels held here, over mutual TLS; with
	// the three files below set. Without them the node runs alone: a
	// connection whose tunnel another node holds is closed.
	ForwardAddr string `envconfig:"WARDNET_FORWARD_ADDR"`
	// ForwardCertPath, ForwardKeyPath and ForwardBundlePath are this
	// node's certificate (its SPIFFE ID that of the region's tunneller),
	// its key and the mesh's CA bundle, reloaded when they change.
	ForwardCertPath   string `envconfig:"WARDNET_FORWARD_CERT_PATH"`
	ForwardKeyPath    string `envconfig:"WARDNET_FORWARD_KEY_PATH"`
	ForwardBundlePath string `envconfig:"WARDNET_FORWARD_BUNDLE_PATH"`
	// UDPPorts is the region's pool of UDP ports for WireGuard, "first-last":
	// each network gets one for good while it lives. Every node of the
	// region must have the same range.
	UDPPorts string `envconfig:"WARDNET_TUNNEL_UDP_PORTS"`
	// UDPBind is the address the UDP relay binds a network's port on;
	// "off" turns the relay off on this node.
	UDPBind string `envconfig:"WARDNET_TUNNEL_UDP_BIND"`
}

// udpPorts is WARDNET_TUNNEL_UDP_PORTS as a range.
func (c Config) udpPorts() (udpport.Range, error) {
	r, err := udpport.ParseRange(c.UDPPorts)
	if err != nil {
		return udpport.Range{}, fmt.Errorf("WARDNET_TUNNEL_UDP_PORTS: %w", err)
	}
	return r, nil
}

// udpRelay tells whether this node relays UDP.
func (c Config) udpRelay() bool { return c.UDPBind != UDPOff }

// forwarding tells whether the node forwards between nodes: all three
// files are set.
func (c Config) forwarding() bool {
	return c.ForwardCertPath != "" || c.ForwardKeyPath != "" || c.ForwardBundlePath != ""
}

// DefaultConfig is the configuration before the environment is read.
func DefaultConfig() Config {
	c := Config{Config: host.Defaults(), PublicAPI: host.PublicAPIDefaults()}
	c.HTTPAddr = DefaultHTTPAddr
	c.HTTPSAddr = DefaultHTTPSAddr
	c.DoTAddr = DefaultDoTAddr
	c.ProxyProtocol = proxyproto.Required.String()
	c.PresenceTTL = DefaultPresenceTTL
	c.DrainGrace = DefaultDrainGrace
	c.ForwardAddr = DefaultForwardAddr
	c.UDPPorts = udpport.DefaultRange.String()
	c.UDPBind = DefaultUDPBind
	return c
}

// LoadConfig reads the configuration from the environment (WARDNET_*) over
// the defaults and validates it.
func LoadConfig() (Config, error) { return host.LoadConfig(DefaultConfig()) }

// Validate reports every invalid or missing setting at once.
func (c Config) Validate() error {
	errs := []error{c.Config.Validate(), c.PublicAPI.Validate()} // InvalidConfig drops nil ones
	if _, err := c.region(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.zone(); err != nil {
		errs = append(errs, err)
	}
	if c.JWKSURL == "" {
		errs = append(errs, errors.New("WARDNET_JWKS_URL is required (the tenants service's /.well-known/jwks.json)"))
	} else if err := checkHTTPURL(c.JWKSURL); err != nil {
		errs = append(errs, fmt.Errorf("WARDNET_JWKS_URL: %w", err))
	}
	if _, err := c.udpPorts(); err != nil {
		errs = append(errs, err)
	}
	if c.udpRelay() {
		if _, err := netip.ParseAddr(c.UDPBind); err != nil {
			errs = append(errs, fmt.Errorf("WARDNET_TUNNEL_UDP_BIND: %q is neither an IP address nor %q", c.UDPBind, UDPOff))
		}
	}
	if c.forwarding() {
		for _, f := range []struct{ name, path string }{
			{"WARDNET_FORWARD_CERT_PATH", c.ForwardCertPath},
			{"WARDNET_FORWARD_KEY_PATH", c.ForwardKeyPath},
			{"WARDNET_FORWARD_BUNDLE_PATH", c.ForwardBundlePath},
		} {
			if f.path == "" {
				errs = append(errs, fmt.Errorf("%s is required with the other WARDNET_FORWARD_*_PATH", f.name))
			}
		}
		if c.ForwardAddr == "" {
			errs = append(errs, errors.New("WARDNET_FORWARD_ADDR is required with the forward certificates"))
		} else if err := checkAddr(c.ForwardAddr); err != nil {
			errs = append(errs, fmt.Errorf("WARDNET_FORWARD_ADDR: %w", err))
		}
	}
	for _, l := range []struct{ name, addr string }{
		{"WARDNET_TUNNEL_HTTPS_ADDR", c.HTTPSAddr},
		{"WARDNET_TUNNEL_DOT_ADDR", c.DoTAddr},
	} {
		if err := checkAddr(l.addr); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", l.name, err))
		}
	}
	if _, err := proxyproto.ParseMode(c.ProxyProtocol); err != nil {
		errs = append(errs, fmt.Errorf("WARDNET_TUNNEL_PROXY_PROTOCOL: %w", err))
	}
	if _, err := c.nodeID(); err != nil {
		errs = append(errs, err)
	}
	if c.PresenceTTL < time.Second || c.PresenceTTL%time.Second != 0 {
		errs = append(errs, fmt.Errorf("WARDNET_PRESENCE_TTL must be a whole number of seconds, at least 1s, got %s", c.PresenceTTL))
	}
	if c.DrainGrace < 0 || c.DrainGrace > maxDrainGrace {
		errs = append(errs, fmt.Errorf("WARDNET_TUNNEL_DRAIN_GRACE must be between 0s and %s, got %s", maxDrainGrace, c.DrainGrace))
	}
	return host.InvalidConfig(errs...)
}

// region is the one region of WARDNET_REGION.
func (c Config) region() (naming.Region, error) {
	rs, err := naming.ParseRegions(c.Region)
	if err != nil || len(rs) != 1 {
		return "", fmt.Errorf("WARDNET_REGION is required: the one region this node serves, e.g. euc (got %q)", c.Region)
	}
	return rs[0], nil
}

// zone is WARDNET_DNS_ZONE as the SNI listeners route by it.
func (c Config) zone() (sni.Zone, error) {
	if c.DNSZone == "" {
		return sni.Zone{}, errors.New("WARDNET_DNS_ZONE is required: the parent of the networks' names, e.g. my.wardnet.services")
	}
	z, err := sni.ParseZone(c.DNSZone)
	if err != nil {
		return sni.Zone{}, fmt.Errorf("WARDNET_DNS_ZONE: %w", err)
	}
	return z, nil
}

// nodeID is WARDNET_NODE_ID, or the host name.
func (c Config) nodeID() (presence.NodeID, error) {
	id := c.NodeID
	if id == "" {
		h, err := os.Hostname()
		if err != nil {
			return "", fmt.Errorf("WARDNET_NODE_ID is unset and the host name is unknown: %w", err)
		}
		id = h
	}
	n, err := presence.ParseNodeID(id)
	if err != nil {
		return "", fmt.Errorf("WARDNET_NODE_ID (or the host name): %w", err)
	}
	return n, nil
}

// proxyMode is the SNI listeners' PROXY protocol mode.
func (c Config) proxyMode() proxyproto.Mode {
	m, _ := proxyproto.ParseMode(c.ProxyProtocol) // Validate checked it
	return m
}

// checkAddr accepts host:port with a port of 0 to 65535, or empty (off).
func checkAddr(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: bad port", addr)
	}
	return nil
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
