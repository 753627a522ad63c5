// Package tunneller is the tunneller service (regional, many nodes): the
// tunnel endpoint where daemons hold their tunnels
// (gateways/inbound/tunnelapi, GET /v1/tunnel) and the SNI-passthrough
// edge that routes inbound TLS to <anything>.<slug>.<zone> through them
// (edge/node), as DESIGN §5 and docs/tunnels.md describe. This package
// wires one node as a library, so the tunneller binary, wardnet-dev and
// the tests run the same thing, besides the runtime endpoints of package
// host (/healthz, /readyz, /metrics).
//
// The node's routing table (edge/route) is built in memory from the
// region's events in the log and never asks the tenants service anything;
// which node holds which network's tunnel is in the JetStream KV bucket
// presence (edge/presence). Daemon tokens are verified with the tenants
// service's JWKS (WARDNET_JWKS_URL). /readyz fails until the table has
// caught up with the log and the JWKS has been fetched once.
//
// On shutdown the node drains (edge/node.Node.Drain): it asks its v2
// daemons to move (GOAWAY), keeps routing their connections meanwhile, and
// closes the tunnels left after WARDNET_TUNNEL_DRAIN_GRACE with 4003; only
// then do the SNI listeners, the routing table and presence stop.
//
// Not wired yet: forwarding a connection to the node that holds its
// network's tunnel (edge/forward as the node's Forwarder, its acceptor
// delivering to node.Deliver; contract §6.4), so a connection whose tunnel
// another node holds is closed; and the UDP relay's ports.
package tunneller

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	tunnelcmds "github.com/wardnet/wardnet-cloud/commands/tunneller"
	"github.com/wardnet/wardnet-cloud/edge/forward"
	"github.com/wardnet/wardnet-cloud/edge/node"
	"github.com/wardnet/wardnet-cloud/edge/presence"
	"github.com/wardnet/wardnet-cloud/edge/route"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/inbound/tunnelapi"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
)

// The destination ports of the SNI listeners (contract §6.1).
const (
	PortHTTPS uint16 = 443
	PortDoT   uint16 = 853
)

// shutdownSlack is what the shutdown allows beyond the drain grace for
// tunnels to end once closed, and for the API's last sessions.
const shutdownSlack = 5 * time.Second

// Service is a started tunneller service: one edge node.
type Service struct {
	rt      *host.Runtime
	options options
	cfg     Config

	table     *route.Table
	node      *node.Node
	api       *tunnelapi.API
	listeners map[uint16]net.Listener // by destination port
	forwardLn net.Listener            // the forward listener, nil for a lone node
	// drained is closed once the node has drained and stopped routing:
	// the SNI listeners, the routing table and presence stop then.
	drained chan struct{}
}

// Option adjusts how New builds the service, for tests and wardnet-dev.
type Option func(*options)

type options struct {
	service   []host.Option
	keepAlive tunnelapi.KeepAlive
}

// WithServiceOptions passes options to the runtime (host.Start).
func WithServiceOptions(o ...host.Option) Option {
	return func(opts *options) { opts.service = append(opts.service, o...) }
}

// WithKeepAlive replaces the WebSocket keepalive of v1 tunnels (a ping
// every 30 s, closed after 90 s without a message or a pong): tests
// shorten it.
func WithKeepAlive(k tunnelapi.KeepAlive) Option { return func(o *options) { o.keepAlive = k } }

// New validates cfg, connects to NATS and Postgres, applies the
// migrations, ensures the EVENTS stream and the presence bucket, and binds
// the listeners: the ops listener, the public API's (the tunnel endpoint)
// and the SNI listeners. Callers that already run NATS and Postgres
// (wardnet-dev, tests) set cfg.NATSURL, cfg.DatabaseURL and the addresses
// directly.
func New(ctx context.Context, cfg Config, opts ...Option) (*Service, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return host.Build(ctx, Name, cfg, o.service, func(rt *host.Runtime) (*Service, error) {
		s := &Service{rt: rt, options: o, cfg: cfg, listeners: map[uint16]net.Listener{}, drained: make(chan struct{})}
		if err := s.wire(ctx); err != nil {
			s.closeListeners()
			return nil, err
		}
		return s, nil
	})
}

func (s *Service) wire(ctx context.Context) error {
	rt, cfg := s.rt, s.cfg
	log := rt.Logger()
	region, err := cfg.region()
	if err != nil {
		return err
	}
	zone, err := cfg.zone()
	if err != nil {
		return err
	}
	self, err := cfg.nodeID()
	if err != nil {
		return err
	}
	store := events.NewStore(rt.JetStream(), Catalog(), events.WithSource("/"+Name))

	// The routing table, from the region's events.
	s.table, err = route.New(store, route.Config{Region: region, Logger: log})
	if err != nil {
		return err
	}
	rt.AddComponent("route", host.ComponentFunc(func(ctx context.Context) error {
		return s.table.Run(s.untilDrained(ctx))
	}))
	rt.AddReadiness("route", func(context.Context) error {
		select {
		case <-s.table.Ready():
			return nil
		default:
			return fmt.Errorf("the routing table is catching up with the log (at %d)", s.table.Seq())
		}
	})

	// Presence: which node holds which network's tunnel.
	pres, err := presence.Open(ctx, rt.JetStream(), presence.Config{
		Replicas: cfg.StreamReplicas, TTL: cfg.PresenceTTL, Logger: log,
	})
	if err != nil {
		return err
	}
	rt.AddComponent("presence", host.ComponentFunc(func(ctx context.Context) error {
		return pres.Run(s.untilDrained(ctx))
	}))

	// The node, forwarding to the other nodes of the region when it has
	// mesh certificates, and its SNI listeners.
	mesh, err := s.meshCerts()
	if err != nil {
		return err
	}
	nc := node.Config{
		Self: self, Table: s.table, Presence: pres, Zone: zone,
		DrainGrace: drainGrace(cfg.DrainGrace),
		Registerer: rt.Registry(), Logger: log,
	}
	if cfg.udpRelay() {
		ports, err := s.udpPorts(store, region)
		if err != nil {
			return err
		}
		nc.UDPPorts, nc.UDPBind = ports, cfg.UDPBind
	}
	var dialer *forward.Dialer
	if mesh != nil {
		if dialer, err = s.forwardDialer(mesh); err != nil {
			return err
		}
		nc.Forwarder = dialer
	}
	s.node, err = node.New(nc)
	if err != nil {
		return err
	}
	if mesh != nil {
		if err := s.serveForwards(mesh, dialer); err != nil {
			return err
		}
	}
	if err := s.listen(PortHTTPS, cfg.HTTPSAddr, "WARDNET_TUNNEL_HTTPS_ADDR"); err != nil {
		return err
	}
	if err := s.listen(PortDoT, cfg.DoTAddr, "WARDNET_TUNNEL_DOT_ADDR"); err != nil {
		return err
	}
	for port, ln := range s.listeners {
		rt.AddComponent(fmt.Sprintf("sni.%d", port), host.ComponentFunc(func(ctx context.Context) error {
			return s.node.Serve(s.untilDrained(ctx), ln, port)
		}))
	}

	// The tunnel endpoint.
	keys := tokens.NewRemoteKeys(cfg.JWKSURL, tokens.RemoteOptions{Logger: log})
	rt.AddComponent("jwks", keys)
	rt.AddReadiness("jwks", func(context.Context) error {
		if keys.Keys().Len() == 0 {
			return errors.New("no token keys fetched yet from WARDNET_JWKS_URL")
		}
		return nil
	})
	popVerifier, err := pop.NewVerifier(ctx, rt.JetStream(), pop.Options{Replicas: cfg.StreamReplicas})
	if err != nil {
		return err
	}
	auth := authn.New(tokens.NewVerifier(tokens.AudienceTunneller, keys), popVerifier, authn.Options{Logger: log})
	s.api, err = tunnelapi.New(tunnelapi.Config{
		Table: s.table, Node: s.node, Auth: auth, Keys: keys, UDPPorts: nc.UDPPorts,
		KeepAlive: s.options.keepAlive, Registerer: rt.Registry(), Logger: log,
	})
	if err != nil {
		return err
	}
	rt.AddComponent("edge", host.ComponentFunc(s.runEdge))
	log.Info("edge node", "node", self, "region", region, "zone", zone.String(),
		"https", addrOf(s.listeners[PortHTTPS]), "dot", addrOf(s.listeners[PortDoT]),
		"proxy_protocol", cfg.proxyMode().String())
	return rt.ServeAPI(cfg.PublicAPI, s.api)
}

// drainGrace is the node's DrainGrace for WARDNET_TUNNEL_DRAIN_GRACE: 0
// means no wait, which the node spells negative.
func drainGrace(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// listen binds the SNI listener of port at addr (none when addr is
// empty), behind PROXY protocol as configured.
func (s *Service) listen(port uint16, addr, variable string) error {
	if addr == "" {
		return nil
	}
	log := s.rt.Logger()
	ln, err := proxyproto.Listen("tcp", addr, s.cfg.proxyMode(), proxyproto.OnReject(func(peer net.Addr, err error) {
		log.Debug("tunnel connection refused: PROXY header", "port", port, "peer", peer.String(), "err", err)
	}))
	if err != nil {
		return fmt.Errorf("%s: %w", variable, err)
	}
	s.listeners[port] = ln
	return nil
}

// closeListeners closes the listeners of a service that will not Run.
func (s *Service) closeListeners() {
	for _, ln := range s.listeners {
		_ = ln.Close()
	}
	if s.forwardLn != nil {
		_ = s.forwardLn.Close()
	}
}

// udpPorts is the region's UDP port pool for the node's relay: the
// commands that allocate a network's port, and the process manager that
// releases it when the network goes.
func (s *Service) udpPorts(store *events.Store, region naming.Region) (node.UDPPorts, error) {
	rng, err := s.cfg.udpPorts()
	if err != nil {
		return nil, err
	}
	app, err := tunnelcmds.New(tunnelcmds.Deps{Store: store, Pool: s.rt.Pool(), Region: region, Ports: rng, Logger: s.rt.Logger()})
	if err != nil {
		return nil, err
	}
	opts := projectors.Options{Registerer: s.rt.Registry(), Logger: s.rt.Logger()}
	proc := tunnelcmds.NewUDPPortProcess(app)
	proj, err := projectors.New(s.rt.Pool(), store, proc, opts)
	if err != nil {
		return nil, err
	}
	s.rt.AddComponent("projector."+proc.Name(), host.ComponentFunc(proj.Serve))
	s.rt.AddReadiness("projection."+proc.Name(), proj.Ready(s.rt.Config().ReadyMaxLag))
	return node.UDPPortsFunc(func(ctx context.Context, id ids.NetworkID) (uint16, error) {
		return app.AllocateUDPPort(ctx, tunnelcmds.AllocateUDPPort{NetworkID: id})
	}), nil
}

// meshCerts loads the node's mesh certificates (WARDNET_FORWARD_*_PATH)
// and keeps them reloaded; nil for a node that runs alone.
func (s *Service) meshCerts() (*forward.Certs, error) {
	cfg := s.cfg
	if !cfg.forwarding() {
		return nil, nil
	}
	certs, err := forward.LoadCerts(forward.CertFiles{
		Cert: cfg.ForwardCertPath, Key: cfg.ForwardKeyPath, Bundle: cfg.ForwardBundlePath,
	}, 0, s.rt.Logger())
	if err != nil {
		return nil, fmt.Errorf("WARDNET_FORWARD_*_PATH: %w", err)
	}
	s.rt.AddComponent("forward.certs", host.ComponentFunc(certs.Run))
	return certs, nil
}

// forwardDialer reaches the other nodes of the region: a node's id is its
// host (WARDNET_NODE_ID, the host name by default), and every node of the
// region listens for forwards on the port of WARDNET_FORWARD_ADDR.
func (s *Service) forwardDialer(certs *forward.Certs) (*forward.Dialer, error) {
	_, port, err := net.SplitHostPort(s.cfg.ForwardAddr)
	if err != nil {
		return nil, fmt.Errorf("WARDNET_FORWARD_ADDR: %w", err)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("WARDNET_FORWARD_ADDR: port %q: %w", port, err)
	}
	return forward.NewDialer(forward.DialerConfig{Certs: certs, Peers: forward.HostPeers{Port: uint16(p)}, Logger: s.rt.Logger()})
}

// serveForwards binds WARDNET_FORWARD_ADDR and serves the connections the
// other nodes forward to the tunnels held here, with the forward metrics.
func (s *Service) serveForwards(certs *forward.Certs, dialer *forward.Dialer) error {
	acc, err := forward.NewAcceptor(forward.AcceptorConfig{Certs: certs, Deliverer: s.node, Logger: s.rt.Logger()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.ForwardAddr)
	if err != nil {
		return fmt.Errorf("WARDNET_FORWARD_ADDR: %w", err)
	}
	s.forwardLn = ln
	if err := s.rt.Registry().Register(forward.Collector(acc, dialer, certs)); err != nil {
		return fmt.Errorf("forward metrics: %w", err)
	}
	s.rt.AddComponent("forward", host.ComponentFunc(func(ctx context.Context) error {
		return acc.Serve(s.untilDrained(ctx), ln)
	}))
	return nil
}

// ForwardAddr is the address of the forward listener, nil for a node that
// runs alone.
func (s *Service) ForwardAddr() net.Addr { return listenerAddr(s.forwardLn) }

// runEdge runs the node until ctx ends, then shuts the edge down in
// order: drain (GOAWAY to v2 daemons, connections still routed, the rest
// closed with 4003 after the grace), then stop the listeners, the table
// and presence (drained), stop the node (what is left closes with 1001,
// claims released) and wait for the API's sessions.
func (s *Service) runEdge(ctx context.Context) error {
	defer s.closeDrained()
	log := s.rt.Logger()
	nodeCtx, stopNode := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNode()
	nodeDone := make(chan error, 1)
	go func() { nodeDone <- s.node.Run(nodeCtx) }()
	<-ctx.Done()

	grace := max(s.cfg.DrainGrace, 0)
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace+shutdownSlack)
	start := time.Now()
	if err := s.node.Drain(dctx); err != nil {
		log.Warn("edge: drain did not finish", "err", err)
	}
	cancel()
	log.Info("edge: drained", "took", time.Since(start).Round(time.Millisecond))
	s.closeDrained()
	stopNode()
	err := <-nodeDone
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownSlack)
	defer cancel()
	s.api.Shutdown(sctx)
	return err
}

func (s *Service) closeDrained() {
	select {
	case <-s.drained:
	default:
		close(s.drained)
	}
}

// untilDrained is a context for a part the node needs while it drains:
// it ends once the node has drained, not with ctx (which ends first).
func (s *Service) untilDrained(ctx context.Context) context.Context {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		<-s.drained
		cancel()
	}()
	return dctx
}

func addrOf(ln net.Listener) string {
	if ln == nil {
		return "off"
	}
	return ln.Addr().String()
}

// Catalog is the catalogue of the event types the service reads: the
// networks', subscriptions' and tenants' events the routing table folds.
func Catalog() *events.Catalog {
	c := events.NewCatalog()
	tunnelcmds.Catalog(c) // networks and the UDP port pool
	subscription.Register(c)
	tenant.Register(c)
	return c
}

// Handle adds a route to the ops listener. It must be called before Run.
func (s *Service) Handle(pattern string, h http.Handler) { s.rt.Handle(pattern, h) }

// Run serves until ctx ends, then shuts down gracefully (host.Runtime.Run),
// the edge draining first.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }

// Close releases a service that will not Run.
func (s *Service) Close() {
	s.closeListeners()
	s.rt.Close()
}

// Addr is the address of the ops listener (/healthz, /readyz, /metrics),
// which also serves the tunnel endpoint when WARDNET_API_ADDR is unset.
func (s *Service) Addr() net.Addr { return s.rt.Addr() }

// APIAddr is the address of the public API (the tunnel endpoint).
func (s *Service) APIAddr() net.Addr { return s.rt.APIAddr() }

// HTTPSAddr is the address of the SNI listener for port 443, nil when it
// is off.
func (s *Service) HTTPSAddr() net.Addr { return listenerAddr(s.listeners[PortHTTPS]) }

// DoTAddr is the address of the SNI listener for port 853, nil when it is
// off.
func (s *Service) DoTAddr() net.Addr { return listenerAddr(s.listeners[PortDoT]) }

func listenerAddr(ln net.Listener) net.Addr {
	if ln == nil {
		return nil
	}
	return ln.Addr()
}

// Zone is the zone the SNI listeners route under.
func (s *Service) Zone() string { return s.cfg.DNSZone }

// Stats is the node's counters: the tunnels it holds, its listeners'
// connections and refusals.
func (s *Service) Stats() node.Stats { return s.node.Stats() }
