// Package tenants is the tenants service (global): identity and naming
// (tenants, networks, daemon enrollment and tokens, password logins), the
// JWT signer, and later billing, as DESIGN §5 and docs/tenants.md describe.
// This package wires the service as a library, so the tenants binary and
// wardnet-dev run the same thing: the commands (commands/tenants),
// its process manager (commands/tenants.Lifecycle), the tenancy and audit
// projections, and the public API (gateways/inbound/tenantsapi), besides the runtime
// endpoints of package host (/healthz, /readyz, /metrics).
package tenants

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	app "github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/inbound/tenantsapi"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/host"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/sessioncookie"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors"
	"github.com/wardnet/wardnet-cloud/projectors/audit"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// Service is a started tenants service.
type Service struct {
	rt      *host.Runtime
	cmds    *app.App
	signer  *tokens.Signer
	options options
}

// Option adjusts how New builds the service, for tests and wardnet-dev.
type Option func(*options)

type options struct {
	service []host.Option
	now     func() time.Time
	mail    mail.Sender
	proj    projectors.Options
}

// WithServiceOptions passes options to the runtime (host.Start).
func WithServiceOptions(o ...host.Option) Option {
	return func(opts *options) { opts.service = append(opts.service, o...) }
}

// WithClock sets the clock of the commands and of token checks.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithMailSender replaces the sender the configuration names.
func WithMailSender(s mail.Sender) Option { return func(o *options) { o.mail = s } }

// WithProjectorOptions tunes the projectors (tests shorten their timings).
func WithProjectorOptions(p projectors.Options) Option { return func(o *options) { o.proj = p } }

// New validates cfg, connects to NATS and Postgres, applies the migrations,
// ensures the streams, loads the keys and binds the listeners. Callers that
// already run NATS and Postgres (wardnet-dev, tests) set cfg.NATSURL,
// cfg.DatabaseURL and cfg.HTTPAddr directly.
func New(ctx context.Context, cfg Config, opts ...Option) (*Service, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		o.now = time.Now
	}
	return host.Build(ctx, Name, cfg, o.service, func(rt *host.Runtime) (*Service, error) {
		s := &Service{rt: rt, options: o}
		return s, s.wire(ctx, cfg)
	})
}

func (s *Service) wire(ctx context.Context, cfg Config) error {
	rt, o := s.rt, s.options
	log := rt.Logger()
	store := events.NewStore(rt.JetStream(), Catalog(), events.WithSource("/"+Name))

	signer, err := loadSigner(cfg)
	if err != nil {
		return err
	}
	s.signer = signer
	cookieKey, err := sessioncookie.LoadKey(cfg.CookieKeyPath)
	if err != nil {
		return fmt.Errorf("WARDNET_COOKIE_KEY_PATH: %w", err)
	}
	cookies, err := sessioncookie.NewSealer(cookieKey)
	if err != nil {
		return fmt.Errorf("WARDNET_COOKIE_KEY_PATH: %w", err)
	}
	keyring, err := datakeys.NewFromFile(rt.Pool(), cfg.DataKeyPath, datakeys.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("WARDNET_DATA_KEY_PATH: %w", err)
	}
	rt.AddComponent("datakeys.janitor", host.ComponentFunc(func(ctx context.Context) error {
		return keyring.RunJanitor(ctx, time.Hour)
	}))
	replicas := cfg.StreamReplicas
	limiters, err := app.NewLimiters(ctx, rt.JetStream(), replicas, o.now)
	if err != nil {
		return err
	}
	popVerifier, err := pop.NewVerifier(ctx, rt.JetStream(), pop.Options{Clock: o.now, Replicas: replicas})
	if err != nil {
		return err
	}
	sender, err := s.mailSender(cfg)
	if err != nil {
		return err
	}
	regions, err := naming.ParseRegions(cfg.KnownRegions)
	if err != nil {
		return err
	}
	cmds, err := app.New(app.Deps{
		Store: store, Pool: rt.Pool(), Keyring: keyring, Signer: signer, Mail: sender,
		Limiters: limiters, Passwords: rt.Passwords(), Regions: regions,
		UserTokenTTL: cfg.UserTokenTTL, Now: o.now, Logger: log, Registerer: rt.Registry(),
	})
	if err != nil {
		return err
	}
	s.cmds = cmds

	for _, p := range []projectors.Projection{audit.New(), tenancy.New(), app.NewLifecycle(cmds)} {
		if err := s.runProjection(store, p); err != nil {
			return err
		}
	}

	auth := authn.New(tokens.NewVerifier(tokens.AudienceTenants, signer.Keys()), popVerifier, authn.Options{Clock: o.now, Logger: log})
	api, err := tenantsapi.New(tenantsapi.Config{
		Commands: cmds,
		Reader:   tenancy.NewReader(rt.Pool(), store),
		Auth:     auth,
		Cookies:  cookies,
		Keys:     signer.Keys(),
		Logger:   log,
		Now:      o.now,
	})
	if err != nil {
		return err
	}
	return s.rt.ServeAPI(cfg.PublicAPI, api)
}

func (s *Service) mailSender(cfg Config) (mail.Sender, error) {
	if s.options.mail != nil {
		return s.options.mail, nil
	}
	if cfg.MailSender == MailLog {
		return mail.NewDev(s.rt.Logger()), nil
	}
	key, err := os.ReadFile(cfg.ResendAPIKeyPath)
	if err != nil {
		return nil, fmt.Errorf("WARDNET_RESEND_API_KEY_PATH: %w", err)
	}
	return mail.NewResend(mail.ResendOptions{APIKey: strings.TrimSpace(string(key)), BaseURL: cfg.ResendURL, From: cfg.EmailFrom, Logger: s.rt.Logger()})
}

func loadSigner(cfg Config) (*tokens.Signer, error) {
	key, err := tokens.LoadPrivateKey(cfg.JWTSigningKeyPath)
	if err != nil {
		return nil, fmt.Errorf("WARDNET_JWT_SIGNING_KEY_PATH: %w", err)
	}
	var others []ed25519.PublicKey
	for _, p := range cfg.JWTVerifyKeyPaths {
		pub, err := tokens.LoadPublicKey(p)
		if err != nil {
			return nil, fmt.Errorf("WARDNET_JWT_VERIFY_KEY_PATHS: %w", err)
		}
		others = append(others, pub)
	}
	return tokens.NewSigner(key, others...)
}

// Catalog is the catalogue of the event types the service reads and
// writes.
func Catalog() *events.Catalog {
	c := events.NewCatalog()
	app.Catalog(c)
	return c
}

// runProjection adds a projector as a component, with a readiness check on
// its lag.
func (s *Service) runProjection(store *events.Store, p projectors.Projection) error {
	opts := s.options.proj
	opts.Registerer, opts.Logger = s.rt.Registry(), s.rt.Logger()
	proj, err := projectors.New(s.rt.Pool(), store, p, opts)
	if err != nil {
		return err
	}
	s.rt.AddComponent("projector."+p.Name(), host.ComponentFunc(proj.Serve))
	s.rt.AddReadiness("projection."+p.Name(), proj.Ready(s.rt.Config().ReadyMaxLag))
	return nil
}

// Commands is the service's write side, for tests and tools that decide
// what another service will (the DNS projector's MarkNetworkDeprovisioned).
func (s *Service) Commands() *app.App { return s.cmds }

// Passwords is the service's password hasher, whose count of
// computations tests read.
func (s *Service) Passwords() *passwords.Hasher { return s.rt.Passwords() }

// Signer is the service's token signer.
func (s *Service) Signer() *tokens.Signer { return s.signer }

// Run serves until ctx ends, then shuts down gracefully (host.Runtime.Run).
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }

// Close releases a service that will not Run.
func (s *Service) Close() { s.rt.Close() }

// Addr is the address of the ops listener (/healthz, /readyz, /metrics),
// which also serves the public API when WARDNET_API_ADDR is unset.
func (s *Service) Addr() net.Addr { return s.rt.Addr() }

// APIAddr is the address of the public API.
func (s *Service) APIAddr() net.Addr { return s.rt.APIAddr() }
