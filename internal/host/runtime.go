package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/connlimit"
	"github.com/wardnet/wardnet-cloud/internal/httpserver"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/schema"
)

// connectTimeout bounds each start-up step that waits on another server
// (Postgres ping, EVENTS stream), so a wrong address fails with a message
// instead of hanging.
const connectTimeout = 30 * time.Second

// Component is a long-running part of a service (a projector, a process
// manager, a listener). Run returns when ctx ends, or earlier with an error
// when the component fails, which stops the whole service.
type Component interface {
	Run(ctx context.Context) error
}

// ComponentFunc adapts a function to Component.
type ComponentFunc func(ctx context.Context) error

// Run calls f(ctx).
func (f ComponentFunc) Run(ctx context.Context) error { return f(ctx) }

// Option adjusts Start.
type Option func(*options)

type options struct {
	logger   *slog.Logger
	describe any
}

// WithLogger sends the runtime's logs to l, with a "service" attribute
// added. The default is JSON on stderr at the configured level.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithDescription sets the configuration printed at start-up (through
// Describe); services pass their whole Config. The default is the shared
// Config.
func WithDescription(spec any) Option { return func(o *options) { o.describe = spec } }

type readinessCheck struct {
	name  string
	check func(context.Context) error
}

type namedComponent struct {
	name string
	c    Component
}

// Runtime is a started service: connected to NATS and Postgres, with the
// EVENTS stream ensured and its HTTP listener bound. Run serves it until its
// context ends; Close releases it without serving.
type Runtime struct {
	name     string
	cfg      Config
	log      *slog.Logger
	nc       *nats.Conn
	ncClosed chan struct{} // closed when nc is closed
	js       jetstream.JetStream
	pool     *pgxpool.Pool
	registry *prometheus.Registry
	mux      *http.ServeMux
	conns    *connlimit.Counter // every listener's connections, per client
	hasher   *passwords.Hasher
	ln       net.Listener
	server   *http.Server
	// api and apiServer are the public API's own listener and server, if
	// it has them (ServeAPI); mu guards them.
	api       net.Listener
	apiServer *http.Server
	ready     readyState

	mu         sync.Mutex
	checks     []readinessCheck // mu guards it
	components []namedComponent // mu guards it
	started    bool             // Run was called; mu guards it

	releaseOnce sync.Once
}

// Start validates cfg and brings the service up, in order: it binds the
// HTTP listener (served by Run), connects to NATS (reconnecting forever
// once connected) and Postgres, applies the migrations and ensures the
// EVENTS stream. On failure it releases what it had opened.
func Start(ctx context.Context, name string, cfg Config, opts ...Option) (_ *Runtime, err error) {
	o := options{describe: cfg}
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if o.logger == nil {
		o.logger = NewLogger(os.Stderr, cfg.LogLevel)
	}
	r := &Runtime{
		name:     name,
		cfg:      cfg,
		log:      o.logger.With("service", name),
		ncClosed: make(chan struct{}),
		registry: prometheus.NewRegistry(),
		mux:      http.NewServeMux(),
		conns:    connlimit.NewCounter(cfg.MaxConnsPerClient),
		hasher:   passwords.NewHasher(cfg.PasswordHashes),
	}
	r.log.InfoContext(ctx, "starting", "config", Describe(o.describe))
	defer func() {
		if err != nil {
			r.release()
			err = fmt.Errorf("start %s: %w", name, err)
		}
	}()
	// Bind first: a taken port is the quickest failure to report.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	r.ln = r.limitConns(ln)
	if err := r.connectNATS(); err != nil {
		return nil, err
	}
	if err := r.connectPostgres(ctx); err != nil {
		return nil, err
	}
	if err := schema.Migrate(ctx, r.pool, r.log); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if _, err := events.EnsureStream(sctx, r.js, events.StreamConfig{Replicas: cfg.StreamReplicas}); err != nil {
		return nil, err
	}
	r.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), r.hasher)
	r.routes()
	r.server = r.newServer(r.mux)
	return r, nil
}

// ServiceConfig is a service's whole configuration: Config (which gives
// Shared) embedded in it beside its own settings, and a Validate of all of
// them.
type ServiceConfig interface {
	Shared() Config
	Validate() error
}

// Build starts a service from its whole configuration cfg: it validates
// cfg (so that the service's own settings fail before anything connects),
// starts the runtime (Start) on the settings cfg shares with every
// service, printing all of cfg at start-up (WithDescription, before opts),
// and has wire assemble the service on the runtime: its routes,
// components, readiness checks and public API. When wire fails, Build
// closes the runtime and returns wire's error.
func Build[C ServiceConfig, S any](ctx context.Context, name string, cfg C, opts []Option, wire func(*Runtime) (S, error)) (S, error) {
	var none S
	if err := cfg.Validate(); err != nil {
		return none, err
	}
	rt, err := Start(ctx, name, cfg.Shared(), append([]Option{WithDescription(cfg)}, opts...)...)
	if err != nil {
		return none, err
	}
	s, err := wire(rt)
	if err != nil {
		rt.Close()
		return none, err
	}
	return s, nil
}

// newServer is an HTTP server of the runtime for h, with the configured
// limits (package httpserver). proxyproto.ClientIP takes the PROXY
// header's source on a PROXY listener, else the peer (and, from loopback
// only, X-Forwarded-For).
func (r *Runtime) newServer(h http.Handler) *http.Server {
	return httpserver.New(h, r.cfg.Limits, r.log)
}

// limitConns caps the connections of each client on ln, counted with
// those on the runtime's other listener.
func (r *Runtime) limitConns(ln net.Listener) net.Listener {
	return httpserver.Listen(ln, r.conns, r.log)
}

func (r *Runtime) connectNATS() error {
	var closeOnce sync.Once
	opts := []nats.Option{
		nats.Name(r.name),
		events.ConnOption(),
		nats.MaxReconnects(-1),
		nats.DrainTimeout(r.cfg.ShutdownTimeout),
		nats.ClosedHandler(func(*nats.Conn) { closeOnce.Do(func() { close(r.ncClosed) }) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: our own Close or Drain
				r.log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			r.log.Info("nats reconnected", "server", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			r.log.Error("nats asynchronous error", "err", err)
		}),
	}
	if r.cfg.NATSCredsPath != "" {
		opts = append(opts, nats.UserCredentials(r.cfg.NATSCredsPath))
	}
	nc, err := nats.Connect(r.cfg.NATSURL, opts...)
	if err != nil {
		return fmt.Errorf("connect nats %s: %w", r.cfg.NATSURL, err)
	}
	r.nc = nc
	if r.js, err = jetstream.New(nc); err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	r.log.Info("nats connected", "server", nc.ConnectedUrlRedacted())
	return nil
}

func (r *Runtime) connectPostgres(ctx context.Context) error {
	dsn, err := r.cfg.Database()
	if err != nil {
		return err
	}
	pcfg, err := pgxpool.ParseConfig(string(dsn))
	if err != nil {
		return fmt.Errorf("postgres %s: invalid connection string", dsn)
	}
	if _, ok := pcfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		pcfg.ConnConfig.RuntimeParams["application_name"] = r.name
	}
	if r.pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return fmt.Errorf("postgres %s: %w", dsn, err)
	}
	pctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := r.pool.Ping(pctx); err != nil {
		return fmt.Errorf("postgres %s: %w", dsn, err)
	}
	r.log.Info("postgres connected", "database", dsn)
	return nil
}

// Name is the service's name.
func (r *Runtime) Name() string { return r.name }

// Config is the shared configuration the runtime was started with.
func (r *Runtime) Config() Config { return r.cfg }

// Logger is the service's logger.
func (r *Runtime) Logger() *slog.Logger { return r.log }

// NATS is the service's NATS connection. The runtime drains it when Run
// returns.
func (r *Runtime) NATS() *nats.Conn { return r.nc }

// JetStream is the JetStream context on the NATS connection.
func (r *Runtime) JetStream() jetstream.JetStream { return r.js }

// Pool is the service's Postgres pool. The runtime closes it when Run
// returns, after every component has stopped.
func (r *Runtime) Pool() *pgxpool.Pool { return r.pool }

// Passwords is the service's password hasher: every argon2id computation
// of the process runs through it, under WARDNET_PASSWORD_HASHES.
func (r *Runtime) Passwords() *passwords.Hasher { return r.hasher }

// Registry is the service's own Prometheus registry, served at /metrics.
func (r *Runtime) Registry() *prometheus.Registry { return r.registry }

// Addr is the address the HTTP listener is bound to (with the real port
// when the configured one was 0).
func (r *Runtime) Addr() net.Addr { return r.ln.Addr() }

// Handle adds an HTTP route (a net/http ServeMux pattern such as
// "GET /v1/networks/{id}").
func (r *Runtime) Handle(pattern string, h http.Handler) { r.mux.Handle(pattern, h) }

// AddReadiness registers a check that /readyz runs on every request; the
// service is ready only while every check returns nil. Checks run
// concurrently, each bounded by WARDNET_READY_TIMEOUT; their error texts
// appear in the /readyz body, so they must not contain secrets. Names are
// unique ("nats" and "postgres" are the runtime's own); registering a name
// twice is a wiring bug and panics.
func (r *Runtime) AddReadiness(name string, check func(context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "nats" || name == "postgres" || slices.ContainsFunc(r.checks, func(c readinessCheck) bool { return c.name == name }) {
		panic(fmt.Sprintf("service: readiness check %q registered twice", name))
	}
	r.checks = append(r.checks, readinessCheck{name: name, check: check})
}

// AddComponent registers a long-running component that Run starts with the
// HTTP server and stops after it. It must be called before Run (later is a
// wiring bug and panics).
func (r *Runtime) AddComponent(name string, c Component) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		panic(fmt.Sprintf("service: component %q added after Run", name))
	}
	r.components = append(r.components, namedComponent{name: name, c: c})
}

// Run serves HTTP and runs the components until ctx ends or one of them
// fails, then shuts down in order: stop accepting and finish requests in
// flight (bounded by WARDNET_SHUTDOWN_TIMEOUT), stop the components, drain
// NATS, close the Postgres pool. It returns nil after a shutdown asked for
// by ctx, or the failure that ended it.
func (r *Runtime) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		return errors.New("service: Run called twice")
	}
	r.started = true
	components := slices.Clone(r.components)
	r.mu.Unlock()
	defer r.release() // also on panic; release runs once

	// Components outlive ctx by the time the HTTP server needs to finish
	// its requests, which may still use them.
	compCtx, stopComponents := context.WithCancel(context.WithoutCancel(ctx))
	defer stopComponents()
	g, gctx := errgroup.WithContext(compCtx)
	for _, nc := range components {
		g.Go(func() error {
			err := nc.c.Run(gctx)
			if err == nil || (gctx.Err() != nil && errors.Is(err, context.Canceled)) {
				return nil
			}
			return fmt.Errorf("component %s: %w", nc.name, err)
		})
	}

	// The ops listener and the public API's own, if any: both stop taking
	// requests and finish theirs before the components stop.
	type served struct {
		name string
		srv  *http.Server
		ln   net.Listener
	}
	servers := []served{{"http", r.server, r.ln}}
	r.mu.Lock()
	if r.apiServer != nil {
		servers = append(servers, served{"public API", r.apiServer, r.api})
	}
	r.mu.Unlock()
	serveErrs := make([]error, len(servers))
	stopped := make(chan struct{}, len(servers))
	var serving sync.WaitGroup
	for i, s := range servers {
		serving.Go(func() {
			if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				serveErrs[i] = fmt.Errorf("serve %s: %w", s.name, err)
			}
			stopped <- struct{}{}
		})
	}
	r.log.Info("serving", "addr", r.ln.Addr().String(), "components", len(components))

	select {
	case <-ctx.Done():
	case <-gctx.Done():
	case <-stopped:
	}
	r.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ShutdownTimeout)
	defer cancel()
	var shutting sync.WaitGroup
	for _, s := range servers {
		shutting.Go(func() {
			if err := s.srv.Shutdown(sctx); err != nil {
				r.log.Warn("requests still running at the shutdown deadline; closing their connections", "server", s.name, "err", err)
				_ = s.srv.Close()
			}
		})
	}
	shutting.Wait()
	serving.Wait()
	stopComponents()
	err := errors.Join(append(serveErrs, g.Wait())...)
	r.release()
	r.log.Info("stopped")
	return err
}

// Close releases a runtime that will not Run (its owner failed to finish
// setting up): it closes the listener, drains NATS and closes the pool. It
// is safe to call more than once, and after Run.
func (r *Runtime) Close() { r.release() }

// release closes the listener, drains NATS and closes the pool, once.
func (r *Runtime) release() {
	r.releaseOnce.Do(func() {
		if r.ln != nil {
			_ = r.ln.Close() // already closed when Run served it
		}
		r.mu.Lock()
		if r.api != nil {
			_ = r.api.Close() // already closed when its component shut it down
		}
		r.mu.Unlock()
		if r.nc != nil {
			r.drainNATS()
		}
		if r.pool != nil {
			r.pool.Close()
		}
	})
}

// drainNATS lets subscriptions finish the messages they hold and flushes
// what was published, then closes the connection.
func (r *Runtime) drainNATS() {
	if err := r.nc.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionReconnecting) && !errors.Is(err, nats.ErrConnectionClosed) {
		r.log.Warn("nats drain", "err", err)
		r.nc.Close()
	}
	select {
	case <-r.ncClosed:
	case <-time.After(r.cfg.ShutdownTimeout + time.Second):
		r.log.Warn("nats drain did not finish in time; closing")
		r.nc.Close()
	}
}
