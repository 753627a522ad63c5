package tunnelapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/edge/frame"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/edge/tunnel"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// TunnelPath is the tunnel's route; PrefixedTunnelPath the same behind a
// gateway that routes by a /tunneller prefix and keeps it.
const (
	TunnelPath         = "/v1/tunnel"
	PrefixedTunnelPath = "/tunneller" + TunnelPath
)

// The defaults of KeepAlive (contract §6.3, docs/api/tunnel-protocol.md
// §4).
const (
	DefaultPingInterval = 30 * time.Second
	DefaultIdleTimeout  = 90 * time.Second
)

// holdTimeout bounds Hold (its presence claim goes to NATS).
const holdTimeout = 10 * time.Second

// KeepAlive is the WebSocket-level keepalive of v1 tunnels: a ping every
// PingInterval, and a close with 4004 after IdleTimeout without a message
// or a pong from the daemon. Zero fields take the defaults.
type KeepAlive struct {
	PingInterval time.Duration
	IdleTimeout  time.Duration
}

func (k KeepAlive) withDefaults() KeepAlive {
	if k.PingInterval <= 0 {
		k.PingInterval = DefaultPingInterval
	}
	if k.IdleTimeout <= 0 {
		k.IdleTimeout = DefaultIdleTimeout
	}
	return k
}

// Config is what the API runs on. Table, Node, Auth and Keys are
// required.
type Config struct {
	// Table is the region's routing table (run by the service): the
	// policy of every upgrade.
	Table *route.Table
	// Node holds the tunnels (run by the service).
	Node *node.Node
	// Auth authenticates daemon tokens (audience tunneller) and their
	// proofs of possession.
	Auth *authn.Authenticator
	// Keys are the token verifying keys Auth uses (the tenants service's
	// JWKS), with which a tenant-scoped daemon token is recognised, to be
	// told that it needs a network.
	Keys tokens.KeySource
	// UDPPorts, if set, gives a network its UDP port from the region's
	// pool; a v2 upgrade tells the daemon its port in UDPPortHeader.
	UDPPorts node.UDPPorts
	// Session and V1 are the limits and timers of the node's sessions of
	// each version (edge/tunnel's defaults when zero).
	Session tunnel.Options
	V1      tunnel.V1Options
	// KeepAlive is v1's WebSocket-level keepalive.
	KeepAlive KeepAlive
	// Registerer, if set, receives the API's metrics.
	Registerer prometheus.Registerer
	// Logger gets the request log, the tunnels' lines and failures;
	// default slog.Default().
	Logger *slog.Logger
}

// API is the tunnel endpoint: an http.Handler, and Shutdown to end the
// tunnels it still runs when the service stops.
type API struct {
	table         *route.Table
	node          *node.Node
	udp           node.UDPPorts
	auth          *authn.Authenticator
	tenantsTokens *tokens.Verifier // tokens addressed to tenants, see requireNetworkScope
	v2            tunnel.Options
	v1            tunnel.V1Options
	keep          KeepAlive
	log           *slog.Logger
	handler       http.Handler
	metrics       metrics

	mu       sync.Mutex
	live     map[*session]struct{} // guarded by mu
	shutting bool                  // guarded by mu
	wg       sync.WaitGroup        // every upgraded request; Add under mu
}

// session is a tunnel the API runs.
type session struct {
	t node.Tunnel
}

// New returns the API: its routes behind the request log, panic recovery
// and the body cap.
func New(cfg Config) (*API, error) {
	var missing []string
	if cfg.Table == nil {
		missing = append(missing, "Table")
	}
	if cfg.Node == nil {
		missing = append(missing, "Node")
	}
	if cfg.Auth == nil {
		missing = append(missing, "Auth")
	}
	if cfg.Keys == nil {
		missing = append(missing, "Keys")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("tunnelapi: missing %s", strings.Join(missing, ", "))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	a := &API{
		table:         cfg.Table,
		udp:           cfg.UDPPorts,
		node:          cfg.Node,
		auth:          cfg.Auth,
		tenantsTokens: tokens.NewVerifier(tokens.AudienceTenants, cfg.Keys),
		v2:            cfg.Session,
		v1:            cfg.V1,
		keep:          cfg.KeepAlive.withDefaults(),
		log:           endpoint.Logger(cfg.Logger),
		metrics:       m,
		live:          map[*session]struct{}{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", health)
	tun := a.requireNetworkScope(a.auth.Require(tokens.PrincipalDaemon)(http.HandlerFunc(a.tunnel)))
	mux.Handle("GET "+TunnelPath, tun)
	mux.Handle("GET "+PrefixedTunnelPath, tun)
	a.handler = endpoint.Wrap(a.log, time.Now, endpoint.Route(mux))
	return a, nil
}

// ServeHTTP serves the API.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// health is GET /v1/health: 200 with an empty body.
func health(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

// Shutdown refuses new tunnels from now on (503) and waits for those the
// API runs to end: the node closes the tunnels it holds when it drains and
// stops. When ctx ends first, it closes those left with 1001 and waits for
// them.
func (a *API) Shutdown(ctx context.Context) {
	a.mu.Lock()
	a.shutting = true
	a.mu.Unlock()
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	a.mu.Lock()
	left := make([]*session, 0, len(a.live))
	for s := range a.live {
		left = append(left, s)
	}
	a.mu.Unlock()
	a.log.Warn("tunnelapi: closing tunnels still running at shutdown", "tunnels", len(left))
	for _, s := range left {
		_ = s.t.Close(tunnel.CloseGoingAway)
	}
	<-done
}

// begin counts an upgrade that is about to run, unless the API is
// shutting down.
func (a *API) begin() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.shutting {
		return false
	}
	a.wg.Add(1)
	return true
}

func (a *API) track(s *session) {
	a.mu.Lock()
	a.live[s] = struct{}{}
	a.mu.Unlock()
}

func (a *API) untrack(s *session) {
	a.mu.Lock()
	delete(a.live, s)
	a.mu.Unlock()
}

// refuse answers a refusal with {"error": msg} and counts it by reason.
func (a *API) refuse(w http.ResponseWriter, r *http.Request, status int, msg, reason string) {
	a.metrics.upgrades.WithLabelValues(reason).Inc()
	a.log.DebugContext(r.Context(), "tunnel refused", "status", status, "reason", reason)
	endpoint.WriteError(w, status, msg)
}

// versionLabel is a version as a metric label.
func versionLabel(v frame.Version) string { return v.String() }
