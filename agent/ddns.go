package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
)

// ErrNoDDNS: a ddns call on a Client made without WithDDNS.
var ErrNoDDNS = errors.New("no ddns service URL")

// ErrNotRegistered: the call needs a network-scoped token and the daemon
// belongs to no network.
var ErrNotRegistered = errors.New("not registered to a network")

// WithDDNS sets the base URL of the region's ddns service (scheme and
// host, optionally a path prefix), where ReportIP, SetChallenge and
// ClearChallenge go. Tokens still come from the tenants service.
func WithDDNS(baseURL string) Option {
	return func(c *Client) {
		base, err := parseBaseURL(baseURL)
		if err != nil {
			c.ddnsErr = fmt.Errorf("ddns: %w", err)
			return
		}
		c.ddns = base
	}
}

// ReportIP reports ip, an IPv4 dotted quad or an IPv6 address, as the
// network's public address of its family (PUT /v1/ip on ddns) and saves it
// as the last one reported. The address is sent as given: whether it is
// public is the server's decision (400 otherwise).
func (c *Client) ReportIP(ctx context.Context, ip string) error {
	ip = strings.TrimSpace(ip)
	body, err := json.Marshal(struct {
		IP string `json:"ip"`
	}{ip})
	if err != nil {
		return fmt.Errorf("report ip: encode: %w", err)
	}
	network, err := c.ddnsCall(ctx, http.MethodPut, "/v1/ip", body)
	if err != nil {
		return fmt.Errorf("report ip %s: %w", clip(ip, 64), err)
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil { // the server took it, so it parses; keep nothing otherwise
		return nil
	}
	// Saved under lifeMu, so that a teardown or a new registration in the
	// meantime is not undone.
	c.lifeMu.Lock()
	defer c.lifeMu.Unlock()
	c.mu.Lock()
	st := c.st
	if st.NetworkID != network {
		c.mu.Unlock()
		return nil
	}
	if addr.Is4() {
		st.LastIPv4 = addr.String()
	} else {
		st.LastIPv6 = addr.String()
	}
	c.st = st
	c.mu.Unlock()
	if err := saveState(c.statePath, st); err != nil {
		return fmt.Errorf("report ip %s: reported, but: %w", addr, err)
	}
	return nil
}

// ReportIPIfChanged asks src for the public address and reports it unless
// it is the last one reported for its family. It returns the address and
// whether it was sent.
func (c *Client) ReportIPIfChanged(ctx context.Context, src AddressSource) (string, bool, error) {
	ip, err := src.PublicAddress(ctx)
	if err != nil {
		return "", false, fmt.Errorf("public address: %w", err)
	}
	if addr, err := netip.ParseAddr(ip); err == nil {
		st := c.Status()
		last := st.LastIPv4
		if addr.Is6() {
			last = st.LastIPv6
		}
		if last == addr.String() {
			return ip, false, nil
		}
	}
	if err := c.ReportIP(ctx, ip); err != nil {
		return ip, false, err
	}
	return ip, true, nil
}

// SetChallenge publishes the network's ACME DNS-01 challenge values, the
// TXT values of _acme-challenge.<slug>.<zone> (PUT /v1/acme-challenge on
// ddns): 1 to 4 values of at most 255 bytes, which the server checks.
func (c *Client) SetChallenge(ctx context.Context, values []string) error {
	if values == nil {
		values = []string{}
	}
	body, err := json.Marshal(struct {
		Values []string `json:"values"`
	}{values})
	if err != nil {
		return fmt.Errorf("set challenge: encode: %w", err)
	}
	if _, err := c.ddnsCall(ctx, http.MethodPut, "/v1/acme-challenge", body); err != nil {
		return fmt.Errorf("set challenge: %w", err)
	}
	return nil
}

// ClearChallenge removes the network's challenge values
// (DELETE /v1/acme-challenge on ddns). It is idempotent.
func (c *Client) ClearChallenge(ctx context.Context) error {
	if _, err := c.ddnsCall(ctx, http.MethodDelete, "/v1/acme-challenge", nil); err != nil {
		return fmt.Errorf("clear challenge: %w", err)
	}
	return nil
}

// ddnsCall sends one request to ddns with the network-scoped token and a
// proof of possession, and returns the network it was sent for.
func (c *Client) ddnsCall(ctx context.Context, method, target string, body []byte) (string, error) {
	if c.ddns == "" {
		return "", ErrNoDDNS
	}
	c.mu.Lock()
	enrolled, network := c.key != nil, c.st.NetworkID
	c.mu.Unlock()
	if !enrolled {
		return "", ErrNotEnrolled
	}
	if network == "" {
		return "", ErrNotRegistered
	}
	tok, key, err := c.credentials(ctx)
	if err != nil {
		return "", err
	}
	return network, c.sendTo(ctx, c.ddns, method, target, body, creds{token: tok, key: key}, nil)
}

// AddressSource tells a daemon its public address.
type AddressSource interface {
	PublicAddress(ctx context.Context) (string, error)
}

// FixedAddress is an AddressSource that always answers itself: for tests,
// and for a daemon whose address is configured.
type FixedAddress string

// PublicAddress implements AddressSource.
func (a FixedAddress) PublicAddress(context.Context) (string, error) {
	if a == "" {
		return "", errors.New("no fixed address")
	}
	return string(a), nil
}

// EchoService is an AddressSource that asks a web service that answers a
// caller's address as plain text (such as https://api.ipify.org or
// https://api64.ipify.org). Client defaults to http.DefaultClient.
type EchoService struct {
	URL    string
	Client *http.Client
}

// PublicAddress implements AddressSource.
func (e EchoService) PublicAddress(ctx context.Context) (string, error) {
	hc := e.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256))
	if err != nil {
		return "", fmt.Errorf("%s: %w", e.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered HTTP %d", e.URL, resp.StatusCode)
	}
	addr, err := netip.ParseAddr(strings.TrimSpace(string(b)))
	if err != nil {
		return "", fmt.Errorf("%s answered something that is not an address", e.URL)
	}
	return addr.String(), nil
}
