package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/pop"
)

// Client acts as one Wardnet daemon towards the tenants service and its
// region's ddns service (WithDDNS). Its identity lives in the state file
// it was opened with. A Client is safe for concurrent use; Enroll,
// RegisterNetwork and Teardown run one at a time.
type Client struct {
	base      string // base URL without a trailing slash
	ddns      string // the ddns service's base URL, likewise; "" when not given
	ddnsErr   error  // why WithDDNS's URL was refused, reported by NewClient
	hc        *http.Client
	statePath string
	now       func() time.Time
	log       *slog.Logger

	lifeMu sync.Mutex // serialises Enroll, RegisterNetwork and Teardown
	mintMu sync.Mutex // serialises token mints

	mu        sync.Mutex         // guards the fields below
	st        state              // zero when not enrolled
	key       ed25519.PrivateKey // the seed's key; nil when not enrolled
	gen       uint64             // bumped when the identity changes or the token is forgotten
	tok       cachedToken
	suspended bool
	stamps    stamper
}

// Option configures a Client.
type Option func(*Client)

// WithClock sets the clock that signs requests and ages tokens (default
// time.Now).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithLogger sets the logger (default slog.Default()). Tokens, seeds and
// emails are never logged.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// NewClient returns a Client of the tenants service at baseURL (scheme and
// host, optionally a path prefix) whose identity is kept in the file at
// statePath. The file is read now: a missing one means not enrolled; one
// that group or others may access is refused (ErrStateExposed), as is one
// written for another server (ErrServerMismatch). A nil hc is an
// http.Client with a 30-second timeout.
func NewClient(baseURL string, hc *http.Client, statePath string, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if statePath == "" {
		return nil, errors.New("no state path")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := &Client{base: base, hc: hc, statePath: statePath, now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	if c.ddnsErr != nil {
		return nil, c.ddnsErr
	}
	st, ok, err := loadState(statePath)
	if err != nil {
		return nil, err
	}
	if !ok {
		return c, nil
	}
	if st.Server != base {
		return nil, fmt.Errorf("%w: %s was written for %s, not %s; use that server to tear it down, or another state file",
			ErrServerMismatch, statePath, st.Server, base)
	}
	key, err := st.key()
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", statePath, err)
	}
	c.st, c.key = st, key
	return c, nil
}

func parseBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("server URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("server URL %q: want http(s)://host[:port][/prefix]", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Status is what a Client knows about its daemon, without its secret.
type Status struct {
	Server    string
	DDNS      string // the ddns service's base URL; empty when not given
	StatePath string
	PublicKey string // empty when not enrolled
	TenantID  TenantID
	NetworkID NetworkID // empty when not registered
	Slug      Slug
	Region    string
	Suspended bool
	// LastIPv4 and LastIPv6 are the addresses last reported to ddns.
	LastIPv4, LastIPv6 string
}

// Enrolled tells whether the daemon has an identity bound to a tenant.
func (s Status) Enrolled() bool { return s.PublicKey != "" }

// Registered tells whether the daemon belongs to a network.
func (s Status) Registered() bool { return s.NetworkID != "" }

// Status returns the daemon's identity and bindings. It sends nothing.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Status{
		Server:    c.base,
		DDNS:      c.ddns,
		StatePath: c.statePath,
		PublicKey: c.st.PublicKey,
		TenantID:  TenantID(c.st.TenantID),
		NetworkID: NetworkID(c.st.NetworkID),
		Slug:      Slug(c.st.Slug),
		Region:    c.st.Region,
		Suspended: c.suspended,
		LastIPv4:  c.st.LastIPv4,
		LastIPv6:  c.st.LastIPv6,
	}
}

// creds authenticate a request: none (public), a key alone (proof of
// possession, for the token mint) or a token and its key.
type creds struct {
	token string
	key   ed25519.PrivateKey
}

// maxReplayRetries bounds the re-signing of a request refused as a replay.
const maxReplayRetries = 3

// maxResponse bounds what is read of an answer.
const maxResponse = 1 << 20

// send makes one call to the tenants service; see sendTo.
func (c *Client) send(ctx context.Context, method, target string, body []byte, cr creds, out any) error {
	return c.sendTo(ctx, c.base, method, target, body, cr, out)
}

// sendTo makes one call to the service at base. target is the path and
// pre-encoded query, appended to base as is; body (nil for none) is what
// is signed and sent. The answer is decoded into out (nil: ignored) on
// 2xx, else returned as an *APIError. A proof of possession refused as a replay (another process,
// such as an earlier CLI command, signed the same body in the same second)
// is signed again with a later timestamp, up to maxReplayRetries times.
func (c *Client) sendTo(ctx context.Context, base, method, target string, body []byte, cr creds, out any) error {
	for attempt := 0; ; attempt++ {
		req, err := c.newRequestTo(ctx, base, method, target, body, cr)
		if err != nil {
			return err
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return err // *url.Error names the method and URL
		}
		err = readResponse(resp, out)
		c.log.Debug("call", "server", base, "method", method, "path", req.URL.Path, "status", resp.StatusCode)
		var apiErr *APIError
		if attempt < maxReplayRetries && cr.key != nil && errors.As(err, &apiErr) && apiErr.replayed() {
			continue
		}
		if cr.token != "" && errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
			c.ForgetToken() // expired or revoked early: the next call mints again
		}
		return err
	}
}

// newRequest builds a request to the tenants service; see newRequestTo.
func (c *Client) newRequest(ctx context.Context, method, target string, body []byte, cr creds) (*http.Request, error) {
	return c.newRequestTo(ctx, c.base, method, target, body, cr)
}

// newRequestTo builds a request to the service at base whose body is
// exactly body and, when cr has a key, signs that same body and the
// request target as it goes on the wire.
func (c *Client) newRequestTo(ctx context.Context, base, method, target string, body []byte, cr creds) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+target, rd)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", method, target, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cr.token != "" {
		req.Header.Set("Authorization", "Bearer "+cr.token)
	}
	if cr.key != nil {
		c.mu.Lock()
		at := c.stamps.next(c.now(), pop.BodyHash(body))
		c.mu.Unlock()
		pop.SignRequest(req, cr.key, body, at)
	}
	return req, nil
}

// readResponse reads and closes an answer.
func readResponse(resp *http.Response, out any) error {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if len(data) > maxResponse {
		return fmt.Errorf("answer larger than %d bytes", maxResponse)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeAPIError(resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode answer (HTTP %d): %w", resp.StatusCode, err)
	}
	return nil
}
