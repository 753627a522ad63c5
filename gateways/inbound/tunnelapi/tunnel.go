package tunnelapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/httpserver"
)

// The API's answers of its own, besides authn's (401 "authentication
// required", "invalid token", the proof of possession's reasons; 503
// "service temporarily unavailable").
const (
	// MsgNeedNetwork (403): a tenant-scoped daemon token; the daemon must
	// register a network first.
	MsgNeedNetwork = authn.MsgNeedNetwork
	// MsgNetworkNotFound (403): the token's network was never registered,
	// or belongs to another tenant than the token's.
	MsgNetworkNotFound = "network not found"
	// MsgOtherRegion (403): the network lives in another region; its
	// daemon dials that region's tunneller.
	MsgOtherRegion = "network is not served by this region"
	// MsgDeprovisioning (403): the network is being deprovisioned.
	MsgDeprovisioning = "network is being deprovisioned"
	// MsgDeprovisioned (403): the network is gone.
	MsgDeprovisioned = "network is deprovisioned"
	// MsgNotEntitled (403): the tenant's subscription is missing or
	// canceled, or the tenant is deregistered.
	MsgNotEntitled = "the tenant is not entitled to tunnels: no open subscription"
	// MsgNotReady (503, Retry-After): the routing table has not caught up
	// with the log since the node started.
	MsgNotReady = "the tunnel node is catching up with the log; retry shortly"
	// MsgUpgradeRequired (426): an authenticated, admitted request that is
	// not a WebSocket upgrade.
	MsgUpgradeRequired = "a WebSocket upgrade is required"
	// MsgShuttingDown (503): the node stops; the daemon dials again.
	MsgShuttingDown = "the tunnel node is shutting down; retry"
)

// retryNotReady is the Retry-After of MsgNotReady: a node catches up with
// the log in moments.
const retryNotReady = time.Second

// caller is a network-scoped daemon, as its token says.
type caller struct {
	tenant  ids.TenantID
	network ids.NetworkID
}

// callerOf parses a daemon token's tenant and network: claims tenants
// mints always parse; anything else is refused like an invalid token.
func callerOf(c authn.Caller) (caller, bool) {
	if !c.IsDaemon() || c.NetworkID == "" {
		return caller{}, false
	}
	tenant, err := ids.Parse[ids.TenantID](c.TenantID)
	if err != nil {
		return caller{}, false
	}
	network, err := ids.Parse[ids.NetworkID](c.NetworkID)
	if err != nil {
		return caller{}, false
	}
	return caller{tenant: tenant, network: network}, true
}

// refusal is why the routing table refuses a caller's tunnel: its status,
// message and metric label.
type refusal struct {
	status int
	msg    string
	reason string
}

// admit is the tunnel's policy, from the routing table alone: the route
// of the caller's network, or why it may not hold a tunnel here.
func (a *API) admit(c caller) (route.Route, *refusal) {
	err := a.table.Admit(c.network)
	r, found := a.routeOf(c.network)
	if found && r.TenantID != c.tenant {
		// Only a token tenants did not mint could say so; answer as for a
		// network that does not exist, saying nothing of another tenant's.
		return route.Route{}, &refusal{http.StatusForbidden, MsgNetworkNotFound, "other_tenant"}
	}
	switch {
	case err == nil && found:
		return r, nil
	case err == nil, errors.Is(err, route.ErrUnknownNetwork):
		return route.Route{}, &refusal{http.StatusForbidden, MsgNetworkNotFound, "not_found"}
	case errors.Is(err, route.ErrNotReady):
		return route.Route{}, &refusal{http.StatusServiceUnavailable, MsgNotReady, "not_ready"}
	case errors.Is(err, route.ErrOtherRegion):
		return route.Route{}, &refusal{http.StatusForbidden, MsgOtherRegion, "other_region"}
	case errors.Is(err, route.ErrDeprovisioning):
		return route.Route{}, &refusal{http.StatusForbidden, MsgDeprovisioning, "deprovisioning"}
	case errors.Is(err, route.ErrDeprovisioned):
		return route.Route{}, &refusal{http.StatusForbidden, MsgDeprovisioned, "deprovisioned"}
	case errors.Is(err, route.ErrNotEntitled):
		return route.Route{}, &refusal{http.StatusForbidden, MsgNotEntitled, "not_entitled"}
	}
	return route.Route{}, &refusal{http.StatusInternalServerError, endpoint.MsgInternal, "internal"}
}

// routeOf is the route of network id, among the networks that hold their
// slug. The table is keyed by slug for the listeners' hot path; an upgrade
// is rare enough to look through the region's routes.
func (a *API) routeOf(id ids.NetworkID) (route.Route, bool) {
	for _, r := range a.table.Routes() {
		if r.NetworkID == id {
			return r, true
		}
	}
	return route.Route{}, false
}

// tunnel is GET /v1/tunnel (and its prefixed twin): the daemon's upgrade,
// authenticated by authn.
func (a *API) tunnel(w http.ResponseWriter, r *http.Request) {
	ac, ok := authn.FromContext(r.Context())
	c, parsed := callerOf(ac)
	if !ok || !parsed { // tenants mints tokens with its own ids only
		a.refuse(w, r, http.StatusUnauthorized, "invalid token", "invalid_claims")
		return
	}
	rt, no := a.admit(c)
	if no != nil {
		if no.status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", endpoint.RetryAfter(retryNotReady))
		}
		if no.status == http.StatusInternalServerError {
			a.log.ErrorContext(r.Context(), "tunnel: routing table refused for no known reason", "network", c.network)
		}
		a.refuse(w, r, no.status, no.msg, no.reason)
		return
	}
	if !isUpgrade(r) {
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Connection", "Upgrade")
		a.refuse(w, r, http.StatusUpgradeRequired, MsgUpgradeRequired, "not_websocket")
		return
	}
	if !a.begin() {
		a.refuse(w, r, http.StatusServiceUnavailable, MsgShuttingDown, "shutting_down")
		return
	}
	defer a.wg.Done()
	// From here on the request is a tunnel: the server's read and write
	// timeouts, which bound every refusal above, must not cut it.
	httpserver.LongLived(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.serve(w, r, rt)
	})).ServeHTTP(w, r)
}

// isUpgrade reports whether r asks for a WebSocket (Connection: Upgrade,
// Upgrade: websocket); the rest of the handshake is the WebSocket
// library's to check.
func isUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// serve upgrades r to the tunnel of network rt, runs its session and
// hands it to the node, until it ends.
func (a *API) serve(w http.ResponseWriter, r *http.Request, rt route.Route) {
	log := a.log.With("network", rt.NetworkID, "tenant", rt.TenantID, "slug", rt.Slug)
	v, echo := frame.Negotiate(r.Header.Values("Sec-WebSocket-Protocol"))
	var heard atomic.Int64 // unix nanos of the last message or pong (v1's idle timer)
	heard.Store(time.Now().UnixNano())
	opts := &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled}
	if echo != "" {
		opts.Subprotocols = []string{echo} // exactly the name Negotiate matched
	}
	if v == frame.V1 {
		opts.OnPongReceived = func(context.Context, []byte) { heard.Store(time.Now().UnixNano()) }
	} else {
		a.tellUDPPort(w, r, rt, log)
	}
	ws, err := websocket.Accept(w, r, opts)
	if err != nil { // Accept has answered (400, 426, …)
		a.metrics.upgrades.WithLabelValues("upgrade_failed").Inc()
		log.DebugContext(r.Context(), "tunnel: upgrade failed", "err", err)
		return
	}
	gauge := a.metrics.sessions.WithLabelValues(versionLabel(v))
	gauge.Inc()
	defer gauge.Dec()

	conn := tunnel.NewWebSocketConn(ws, v)
	var (
		t     node.Tunnel
		run   func(context.Context) error
		errOf func() error
	)
	if v == frame.V1 {
		s := tunnel.NewV1Node(heardConn{MessageConn: conn, heard: &heard}, a.v1)
		t, run, errOf = node.V1(s), s.Run, s.Err
	} else {
		s := tunnel.NewNode(conn, a.v2)
		t, run, errOf = node.V2(s), s.Run, s.Err
	}
	// The session outlives the request's context, which net/http cancels
	// when the handler returns; the node (or Shutdown) closes it.
	ctx := context.WithoutCancel(r.Context())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_ = run(ctx)
	}()
	s := &session{t: t}
	a.track(s)
	defer a.untrack(s)
	var bg sync.WaitGroup
	defer bg.Wait()
	if v == frame.V1 {
		bg.Go(func() { a.keepV1Alive(ws, t, &heard) })
	}

	hctx, cancel := context.WithTimeout(ctx, holdTimeout)
	release, herr := a.node.Hold(hctx, rt, t)
	cancel()
	if herr != nil {
		code := node.CloseCodeFor(herr)
		a.metrics.upgrades.WithLabelValues("hold_refused").Inc()
		log.InfoContext(ctx, "tunnel refused by the node", "version", v.String(), "err", herr, "code", uint16(code))
		_ = t.Close(code)
		<-ran
		return
	}
	a.metrics.upgrades.WithLabelValues("held").Inc()
	start := time.Now()
	log.InfoContext(ctx, "tunnel up", "version", v.String())
	<-ran
	release()
	attrs := []any{"version", v.String(), "up_for", time.Since(start).Round(time.Millisecond)}
	var ce *tunnel.CloseError
	if errors.As(errOf(), &ce) {
		attrs = append(attrs, "code", uint16(ce.Code), "by_daemon", ce.Remote)
		if ce.Err != nil {
			attrs = append(attrs, "err", ce.Err)
		}
	}
	log.InfoContext(ctx, "tunnel ended", attrs...)
}

// heardConn notes when a v1 session reads a message, for its idle timer.
type heardConn struct {
	tunnel.MessageConn
	heard *atomic.Int64
}

func (c heardConn) Read(ctx context.Context) ([]byte, error) {
	msg, err := c.MessageConn.Read(ctx)
	if err == nil {
		c.heard.Store(time.Now().UnixNano())
	}
	return msg, err
}

// keepV1Alive is v1's keepalive (contract §6.3): a WebSocket ping every
// PingInterval, and a close with 4004 once IdleTimeout has passed without
// a message or a pong. It returns when the tunnel ends.
func (a *API) keepV1Alive(ws *websocket.Conn, t node.Tunnel, heard *atomic.Int64) {
	period := max(min(a.keep.PingInterval, a.keep.IdleTimeout/3), time.Millisecond)
	tick := time.NewTicker(period)
	defer tick.Stop()
	lastPing := time.Now()
	for {
		select {
		case <-t.Done():
			return
		case now := <-tick.C:
			if now.Sub(time.Unix(0, heard.Load())) >= a.keep.IdleTimeout {
				_ = t.Close(frame.CloseIdleTimeout)
				return
			}
			if now.Sub(lastPing) < a.keep.PingInterval {
				continue
			}
			lastPing = now
			// Ping waits for the pong, which the session's reader sees;
			// the wait is bounded by the tick, and the pong, however late,
			// still counts through OnPongReceived.
			ctx, cancel := context.WithTimeout(context.Background(), period)
			_ = ws.Ping(ctx)
			cancel()
		}
	}
}

// UDPPortHeader tells a v2 daemon, on the 101, the UDP port its network
// has on the edge (WireGuard's public port): the tenants API's network
// view shows the same udp_port.
const UDPPortHeader = "Wardnet-UDP-Port"

// tellUDPPort sets UDPPortHeader when the service relays UDP. A pool that
// fails or is full leaves it out: the tunnel still carries TCP, and the
// node asks again when it holds the tunnel.
func (a *API) tellUDPPort(w http.ResponseWriter, r *http.Request, rt route.Route, log *slog.Logger) {
	if a.udp == nil {
		return
	}
	port, err := a.udp.AllocateUDPPort(r.Context(), rt.NetworkID)
	if err != nil {
		log.WarnContext(r.Context(), "tunnel: no UDP port for the network", "err", err)
		return
	}
	w.Header().Set(UDPPortHeader, strconv.Itoa(int(port)))
}
