package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/pop"
)

// TunnelPath is where a tunneller upgrades a daemon's tunnel (contract §6.2).
const TunnelPath = "/v1/tunnel"

// UDPPortHeader is where the tunneller's 101 tells the daemon the UDP
// port its network has on the edge (WireGuard's public port).
const UDPPortHeader = "Wardnet-UDP-Port"

// The defaults of TunnelOptions and the reconnect policy (contract §6.6,
// docs/api/tunnel-protocol.md §3.6).
const (
	DefaultTunnelMaxStreams      = 16
	DefaultTunnelMaxFlows        = 8
	DefaultTunnelFlowIdleTimeout = 2 * time.Minute
	DefaultTunnelConnectTimeout  = 5 * time.Second
	// DefaultTunnelDrainTimeout is how long a tunnel the node asked to
	// leave (GOAWAY) keeps serving its streams once its replacement is
	// up: the node's own grace.
	DefaultTunnelDrainTimeout = 30 * time.Second
	// TunnelBackoffMin and TunnelBackoffMax bound the wait before a
	// reconnection, which doubles with every failure in a row.
	TunnelBackoffMin = time.Second
	TunnelBackoffMax = 60 * time.Second
	// TunnelStableAfter: a tunnel that stayed up this long resets the
	// backoff.
	TunnelStableAfter = 30 * time.Second
)

// tunnelDialTimeout bounds one upgrade (token, TCP, TLS, HTTP).
const tunnelDialTimeout = 30 * time.Second

// Errors of HoldTunnel.
var (
	// ErrNoTunneller: HoldTunnel without TunnelOptions.URL.
	ErrNoTunneller = errors.New("no tunneller URL")
	// ErrNetworkDeprovisioned: the node closed the tunnel with 4001, the
	// network is gone or being deprovisioned; a daemon does not reconnect
	// until it is enrolled and registered again.
	ErrNetworkDeprovisioned = errors.New("network deprovisioned")
	// ErrTunnelV1: the node chose version 1 of the tunnel protocol, for
	// which edge/tunnel has no daemon session; the dial is retried with
	// backoff.
	ErrTunnelV1 = errors.New("the tunnel node speaks only version 1 of the tunnel protocol")
)

// TunnelOptions say where HoldTunnel dials and what it relays to.
type TunnelOptions struct {
	// URL is the base URL of the region's tunneller: http(s):// or
	// ws(s)://host[:port][/prefix]; the tunnel is dialed at TunnelPath
	// below it.
	URL string
	// Local maps a stream's destination port (443 HTTPS, 853 DNS over
	// TLS) to the local TCP address it is relayed to. A stream to any
	// other port is refused (OPEN_REFUSED, port not served).
	Local map[uint16]string
	// LocalUDP is the local UDP address (WireGuard's) that UDP flows are
	// relayed to, through one local socket per flow; when empty, flows
	// are closed at once.
	LocalUDP string
	// ProxyHeader makes every local TCP connection begin with a PROXY
	// protocol v2 header naming the stream's client (LOCAL when the node
	// did not know it).
	ProxyHeader bool

	// MaxStreams bounds the streams of one tunnel (default 16) and
	// MaxFlows its UDP flows (default 8); over them the session refuses
	// (too many streams). FlowIdleTimeout closes a flow that carried
	// nothing for that long (default 2 min).
	MaxStreams      int
	MaxFlows        int
	FlowIdleTimeout time.Duration
	// ConnectTimeout bounds a local TCP connect (default 5 s).
	ConnectTimeout time.Duration
	// DrainTimeout is how long a tunnel the node asked to leave keeps its
	// streams once the replacement is up (default 30 s).
	DrainTimeout time.Duration
	// Backoff is the wait before the next dial after failures failed
	// dials or short-lived tunnels in a row (1, 2, …). The default is
	// TunnelBackoffMin doubling to TunnelBackoffMax, each wait drawn
	// between half and all of its step.
	Backoff func(failures int) time.Duration
}

// HoldTunnel holds the daemon's tunnel until ctx ends (contract §6.2,
// §6.6; docs/api/tunnel-protocol.md). It dials GET /v1/tunnel at
// opts.URL as a WebSocket offering the protocol's versions (v2, then v1),
// authenticated by the network-scoped token and a proof of possession
// over the GET with an empty body, and runs the daemon's end of the
// session: each stream goes to the local TCP address of its destination
// port, half-closing as TCP does; each UDP flow to LocalUDP.
//
// When the tunnel fails or cannot be dialed, HoldTunnel dials again after
// a backoff (opts.Backoff), with a token fresh enough for the dial; a
// tunnel that stayed up TunnelStableAfter resets it. A refused upgrade
// (401, 403) is logged with its status and error and retried likewise;
// a 401 drops the cached token first. When the node sends GOAWAY, a new
// tunnel is dialed at once, to its hint if that host lies under the
// tunneller's parent domain and otherwise to opts.URL; once it is up the
// old one is told GOAWAY in turn, and is closed (1000) when its streams
// have ended and their last bytes are written, or after DrainTimeout
// (make before break). A close with 4003 (node draining) is followed by
// an immediate dial too; either is immediate once in a row, then backs
// off. A close with 4002 (entitlement lapsed) drops the cached token.
// Version 1, which edge/tunnel has no daemon session for, counts as a
// failed dial (ErrTunnelV1).
//
// It returns nil once ctx ends, and an error only for what retrying
// cannot mend: invalid options, ErrNotEnrolled, ErrNotRegistered, and
// ErrNetworkDeprovisioned when the node closed the tunnel with 4001.
func (c *Client) HoldTunnel(ctx context.Context, opts TunnelOptions) error {
	h, err := c.newHolder(opts)
	if err != nil {
		return err
	}
	return h.run(ctx)
}

// holder keeps one daemon's tunnel up: at most one serving, and those
// that received GOAWAY draining next to it.
type holder struct {
	c      *Client
	base   *url.URL // http(s), no trailing slash
	opts   TunnelOptions
	log    *slog.Logger
	runCtx context.Context // run's: the sessions close (1001) when it ends
	wg     sync.WaitGroup  // every goroutine of every tunnel
}

func (c *Client) newHolder(opts TunnelOptions) (*holder, error) {
	if opts.URL == "" {
		return nil, ErrNoTunneller
	}
	base, err := parseTunnellerURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if len(opts.Local) == 0 && opts.LocalUDP == "" {
		return nil, errors.New("tunnel: nothing to relay to: no local TCP or UDP address")
	}
	local := make(map[uint16]string, len(opts.Local))
	for port, addr := range opts.Local {
		if port == 0 {
			return nil, errors.New("tunnel: local address for port 0")
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("tunnel: local address for port %d: %w", port, err)
		}
		local[port] = addr
	}
	opts.Local = local
	if opts.LocalUDP != "" {
		if _, _, err := net.SplitHostPort(opts.LocalUDP); err != nil {
			return nil, fmt.Errorf("tunnel: local UDP address: %w", err)
		}
	}
	orInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	orDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	orInt(&opts.MaxStreams, DefaultTunnelMaxStreams)
	orInt(&opts.MaxFlows, DefaultTunnelMaxFlows)
	orDur(&opts.FlowIdleTimeout, DefaultTunnelFlowIdleTimeout)
	orDur(&opts.ConnectTimeout, DefaultTunnelConnectTimeout)
	orDur(&opts.DrainTimeout, DefaultTunnelDrainTimeout)
	if opts.Backoff == nil {
		opts.Backoff = TunnelBackoff
	}
	return &holder{c: c, base: base, opts: opts, log: c.log}, nil
}

// parseTunnellerURL accepts http, https, ws and wss base URLs and returns
// the http(s) form without a trailing slash.
func parseTunnellerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("tunneller: server URL: %w", err)
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	base, err := parseBaseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("tunneller: %w", err)
	}
	return url.Parse(base)
}

// TunnelBackoff is the default TunnelOptions.Backoff: TunnelBackoffMin
// doubling with every failure to TunnelBackoffMax, jittered so that the
// daemons a node dropped at once do not come back at once (each wait is
// drawn between half and all of its step).
func TunnelBackoff(failures int) time.Duration {
	step := TunnelBackoffMax
	if failures <= 1 {
		step = TunnelBackoffMin
	} else if failures < 8 {
		step = min(TunnelBackoffMin<<(failures-1), TunnelBackoffMax)
	}
	return step/2 + rand.N(step/2+1)
}

// reconnect is HoldTunnel's backoff bookkeeping: how many failures in a
// row, and whether the last immediate redial (a move) was just spent.
type reconnect struct {
	backoff   func(int) time.Duration
	failures  int
	immediate bool // the previous redial was immediate
}

// failed counts a failed dial and returns the wait before the next.
func (r *reconnect) failed() time.Duration {
	r.failures++
	r.immediate = false
	return r.backoff(r.failures)
}

// ended counts a tunnel that ended after up; move says the node asked
// for an immediate reconnection (GOAWAY, or a close with 4003), which is
// granted once in a row: a tunnel that did not stay up TunnelStableAfter
// before the next such request waits for the backoff.
func (r *reconnect) ended(up time.Duration, move bool) time.Duration {
	if up >= TunnelStableAfter {
		r.failures, r.immediate = 0, false
	}
	if move && !r.immediate {
		r.immediate = true
		return 0
	}
	return r.failed()
}

// liveTunnel is one dialed tunnel and the goroutines that serve it.
type liveTunnel struct {
	h       *holder
	target  string // the base URL it was dialed at
	version frame.Version
	sess    *tunnel.Session
	up      time.Time

	ctx    context.Context // ends with the session: stops its relays
	cancel context.CancelFunc
	done   chan struct{} // closed once Run has returned; runErr is set
	runErr error

	changed chan struct{} // capacity 1: a relay ended or a CLOSE went out (for drain)

	mu      sync.Mutex
	closing map[frame.StreamID]bool // streams whose CLOSE is queued but not yet written
}

// closeQueued records that a stream's CLOSE is queued behind its last
// DATA: until it is written, closing the session would drop them (Close
// flushes control frames, not DATA).
func (t *liveTunnel) closeQueued(id frame.StreamID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closing[id] = true
}

// closeDone records that a stream's CLOSE was written, or will never be
// (the stream was reset).
func (t *liveTunnel) closeDone(id frame.StreamID) {
	t.mu.Lock()
	_, ok := t.closing[id]
	delete(t.closing, id)
	t.mu.Unlock()
	if ok {
		t.notify()
	}
}

func (t *liveTunnel) notify() {
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// drained reports whether the tunnel carries nothing more for its streams:
// none is open, and every CLOSE this side queued is on the wire.
func (t *liveTunnel) drained() bool {
	t.mu.Lock()
	pending := len(t.closing)
	t.mu.Unlock()
	return pending == 0 && t.sess.Stats().Streams == 0
}

// wireConn is the session's transport, watched: it tells the tunnel when a
// stream's CLOSE (after its last DATA, which the writer sends first) has
// been written.
type wireConn struct {
	tunnel.MessageConn
	t *liveTunnel
}

func (w wireConn) Write(ctx context.Context, p []byte) error {
	closeOf := frame.StreamID(0)
	if len(p) == frame.HeaderLen && frame.V2Type(p[0]) == frame.V2Close {
		closeOf = frame.StreamID(binary.BigEndian.Uint32(p[1:frame.HeaderLen]))
	}
	err := w.MessageConn.Write(ctx, p)
	if err == nil && closeOf != 0 {
		w.t.closeDone(closeOf)
	}
	return err
}

func (h *holder) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel() // every session closes (1001) and every relay ends
		h.wg.Wait()
	}()
	h.runCtx = ctx
	rc := reconnect{backoff: h.opts.Backoff}
	var (
		delay    time.Duration
		target   = h.base.String()
		draining []*liveTunnel // asked to leave (GOAWAY), until a replacement is up
	)
	for {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		t, err := h.dial(ctx, target)
		target = h.base.String()
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.Is(err, ErrNotEnrolled), errors.Is(err, ErrNotRegistered):
				return fmt.Errorf("tunnel: %w", err)
			}
			delay = rc.failed()
			attrs := []any{"retry_in", delay.Round(time.Millisecond), "error", err}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				attrs = append(attrs, "status", apiErr.Status)
			}
			h.log.Warn("tunnel dial failed", attrs...)
			continue
		}
		h.log.Info("tunnel up", "url", t.target+TunnelPath, "version", t.version.String())
		for _, old := range draining {
			h.wg.Go(func() { h.drain(old) })
		}
		draining = nil

		var g tunnel.GoAway
		var moved bool
		select {
		case <-ctx.Done():
			return nil
		case <-t.done:
		case g = <-t.sess.GoAwayReceived():
			moved = true
		}
		if moved {
			draining = append(draining, t)
			next, ok := hintTarget(h.base, g.Hint)
			if ok {
				target = next
			}
			// At once, unless the node moved the tunnel before (a node that
			// asks every new tunnel to move must not make a loop of it).
			delay = rc.ended(time.Since(t.up), true)
			h.log.Info("tunnel node sent GOAWAY: dialing a replacement", "reason", g.Reason.String(),
				"hint", g.Hint, "hint_followed", ok, "retry_in", delay.Round(time.Millisecond))
			continue
		}
		code, remote := closeCodeOf(t.runErr)
		up := time.Since(t.up)
		switch {
		case remote && code == frame.CloseNetworkDeprovisioned:
			return fmt.Errorf("tunnel closed by the node: %w", ErrNetworkDeprovisioned)
		case remote && code == frame.CloseEntitlementLapsed:
			h.c.ForgetToken() // the next dial mints, and learns whether the tenant is suspended
		}
		delay = rc.ended(up, remote && code == frame.CloseNodeDraining)
		h.log.Warn("tunnel down", "up_for", up.Round(time.Millisecond), "error", t.runErr,
			"retry_in", delay.Round(time.Millisecond))
	}
}

// closeCodeOf is the close code a session ended with, and whether the
// node chose it.
func closeCodeOf(err error) (frame.CloseCode, bool) {
	var ce *tunnel.CloseError
	if errors.As(err, &ce) {
		return ce.Code, ce.Remote
	}
	return tunnel.CloseAbnormal, false
}

// dial opens one tunnel at target (a base URL) and starts serving it.
func (h *holder) dial(ctx context.Context, target string) (*liveTunnel, error) {
	c := h.c
	c.mu.Lock()
	enrolled, network := c.key != nil, c.st.NetworkID
	c.mu.Unlock()
	if !enrolled {
		return nil, ErrNotEnrolled
	}
	if network == "" {
		return nil, ErrNotRegistered
	}
	ctx, cancel := context.WithTimeout(ctx, tunnelDialTimeout)
	defer cancel()
	tok, key, err := c.credentials(ctx)
	if err != nil {
		return nil, err
	}
	req, err := c.newRequestTo(ctx, target, http.MethodGet, TunnelPath, nil, creds{token: tok, key: key})
	if err != nil {
		return nil, err
	}
	hdr := http.Header{}
	for _, k := range []string{"Authorization", pop.HeaderTimestamp, pop.HeaderSignature} {
		hdr.Set(k, req.Header.Get(k))
	}
	ws, resp, err := websocket.Dial(ctx, target+TunnelPath, &websocket.DialOptions{
		HTTPClient:   c.hc,
		HTTPHeader:   hdr,
		Subprotocols: frame.Subprotocols(),
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			var body []byte
			if resp.Body != nil {
				body, _ = io.ReadAll(resp.Body) // at most 1 KiB: the library keeps no more
			}
			apiErr := decodeAPIError(resp.StatusCode, body)
			if resp.StatusCode == http.StatusUnauthorized {
				c.ForgetToken() // expired or revoked early: the next dial mints again
			}
			return nil, fmt.Errorf("tunnel upgrade at %s refused: %w", target+TunnelPath, apiErr)
		}
		return nil, fmt.Errorf("tunnel dial %s: %w", target+TunnelPath, err)
	}
	v, err := frame.VersionOf(ws.Subprotocol())
	if err != nil {
		_ = ws.Close(websocket.StatusProtocolError, "unexpected subprotocol")
		return nil, fmt.Errorf("tunnel dial %s: %w", target+TunnelPath, err)
	}
	if v != frame.V2 {
		_ = ws.Close(websocket.StatusNormalClosure, "daemon speaks v2")
		return nil, fmt.Errorf("tunnel dial %s: %w", target+TunnelPath, ErrTunnelV1)
	}
	if port := resp.Header.Get(UDPPortHeader); port != "" {
		h.log.Info("tunnel UDP port on the edge (WireGuard's public port)", "udp_port", port)
	}
	return h.start(target, v, tunnel.NewWebSocketConn(ws, v)), nil
}

// start runs a session over conn and its accept loops under the holder's
// context (the caller's: ending it closes the session with 1001).
func (h *holder) start(target string, v frame.Version, conn tunnel.MessageConn) *liveTunnel {
	t := &liveTunnel{h: h, target: target, version: v, up: time.Now(),
		done: make(chan struct{}), changed: make(chan struct{}, 1), closing: map[frame.StreamID]bool{}}
	t.sess = tunnel.NewDaemon(wireConn{MessageConn: conn, t: t}, tunnel.Options{
		MaxStreams:      h.opts.MaxStreams,
		MaxFlows:        h.opts.MaxFlows,
		FlowIdleTimeout: h.opts.FlowIdleTimeout,
	})
	t.ctx, t.cancel = context.WithCancel(context.Background())
	runCtx := h.runCtx
	h.wg.Go(func() {
		t.runErr = t.sess.Run(runCtx)
		t.cancel()
		close(t.done)
	})
	h.wg.Go(t.acceptStreams)
	h.wg.Go(t.acceptFlows)
	return t
}

// drain closes a tunnel the node asked to leave, once its replacement is
// up: GOAWAY (shutdown) so that the node opens nothing more on it, then
// 1000 when its streams have ended and their last bytes are on the wire,
// or after DrainTimeout.
func (h *holder) drain(t *liveTunnel) {
	select {
	case <-t.done:
		return
	default:
	}
	_ = t.sess.GoAway(frame.GoAwayShutdown, "")
	timeout := time.NewTimer(h.opts.DrainTimeout)
	defer timeout.Stop()
	poll := time.NewTicker(100 * time.Millisecond) // streams the node reset before they were accepted
	defer poll.Stop()
	for !t.drained() {
		select {
		case <-t.done:
			return
		case <-timeout.C:
			h.log.Info("tunnel drain timed out: closing with streams open", "url", t.target+TunnelPath,
				"streams", t.sess.Stats().Streams)
			_ = t.sess.Close(tunnel.CloseNormal)
			return
		case <-t.changed:
		case <-poll.C:
		}
	}
	h.log.Info("old tunnel drained", "url", t.target+TunnelPath)
	_ = t.sess.Close(tunnel.CloseNormal)
}

// hintTarget is the base URL a GOAWAY's hint names, when it is one to
// follow: a host name under the parent domain of the tunneller's host
// (never an address, never another domain: a hint is advice, and a host
// outside the domain could collect a signed upgrade request to replay,
// docs/api/tunnel-protocol.md §3.6). The scheme and path prefix stay the
// tunneller's, and so does its port unless the hint names one.
func hintTarget(base *url.URL, hint string) (string, bool) {
	if hint == "" || len(hint) > frame.MaxHintLen {
		return "", false
	}
	host, port := hint, ""
	if i := strings.LastIndexByte(hint, ':'); i >= 0 {
		host, port = hint[:i], hint[i+1:]
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 || strconv.FormatUint(n, 10) != port {
			return "", false
		}
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !hostName(host) {
		return "", false
	}
	gw := strings.ToLower(strings.TrimSuffix(base.Hostname(), "."))
	if _, err := netip.ParseAddr(gw); err != nil && hostName(gw) {
		_, parent, ok := strings.Cut(gw, ".")
		if !ok || !strings.Contains(parent, ".") || !strings.HasSuffix(host, "."+parent) {
			return "", false
		}
	} else {
		return "", false
	}
	if port == "" {
		port = base.Port()
	}
	u := *base
	u.Host = host
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	}
	return u.String(), true
}

// hostName reports whether s is a DNS host name: dot-separated labels of
// 1 to 63 bytes of [a-z0-9-] (lower case), not starting or ending with a
// hyphen, 253 bytes at most, and not all digits in its last label.
func hostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			b := l[i]
			if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}
