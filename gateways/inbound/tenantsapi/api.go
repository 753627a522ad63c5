package tenantsapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/sessioncookie"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
	"github.com/wardnet/wardnet-cloud/projectors/tenancy"
)

// Config is what the public API runs on. Every field but Logger and Now
// is required.
type Config struct {
	// Commands is the write side: the tenants application's use cases.
	Commands tenants.Commands
	// Reader is the read model of the user routes.
	Reader *tenancy.Reader
	// Auth authenticates bearer tokens and proofs of possession.
	Auth *authn.Authenticator
	// Cookies seals and opens the session cookie.
	Cookies *sessioncookie.Sealer
	// Keys are the token verifying keys published at /.well-known/jwks.json
	// (the Signer's Keys).
	Keys tokens.KeySet
	// Logger gets the request log and failures; default slog.Default().
	Logger *slog.Logger
	// Now is the clock of the request log; default time.Now.
	Now func() time.Time
}

// api holds the handlers' dependencies.
type api struct {
	cmd     tenants.Commands
	read    *tenancy.Reader
	auth    *authn.Authenticator
	cookies *sessioncookie.Sealer
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
}

// New returns the public API's handler: its routes behind the request log,
// panic recovery and the body cap. The http.Server that serves it should
// install proxyproto.ConnContext, so that rate limits see client
// addresses.
func New(cfg Config) (http.Handler, error) {
	var missing []string
	if cfg.Commands == nil {
		missing = append(missing, "Commands")
	}
	if cfg.Reader == nil {
		missing = append(missing, "Reader")
	}
	if cfg.Auth == nil {
		missing = append(missing, "Auth")
	}
	if cfg.Cookies == nil {
		missing = append(missing, "Cookies")
	}
	if cfg.Keys.Len() == 0 {
		missing = append(missing, "Keys")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("tenantsapi: missing %s", strings.Join(missing, ", "))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	jwks, err := tokens.JWKSHandler(cfg.Keys)
	if err != nil {
		return nil, fmt.Errorf("tenantsapi: %w", err)
	}
	a := &api{
		cmd:     cfg.Commands,
		read:    cfg.Reader,
		auth:    cfg.Auth,
		cookies: cfg.Cookies,
		log:     endpoint.Logger(cfg.Logger),
		now:     cfg.Now,
		mux:     http.NewServeMux(),
	}
	a.routes(jwks)
	return endpoint.Wrap(a.log, a.now, endpoint.Route(a.mux)), nil
}

// routes registers every route of docs/api/tenants.yaml.
func (a *api) routes(jwks http.Handler) {
	m := a.mux
	// bootstrap
	m.HandleFunc("GET /v1/health", a.health)
	m.Handle("GET "+tokens.JWKSPath, jwks)
	m.HandleFunc("POST /v1/verification-codes", a.issueCode)
	m.HandleFunc("POST /v1/enroll", a.enroll)
	m.HandleFunc("POST /v1/token", a.mintDaemonToken)
	m.HandleFunc("POST /v1/auth/password/signup", a.signup)
	m.HandleFunc("POST /v1/auth/password/login", a.login)
	m.HandleFunc("POST /v1/auth/password/reset", a.resetPassword)
	m.HandleFunc("POST /v1/auth/token", a.exchangeSession)
	m.HandleFunc("POST /v1/auth/logout", a.logout)
	// daemon_or_user
	m.Handle("GET /v1/availability", a.daemonOrUser(a.availability))
	// daemon
	m.Handle("POST /v1/networks", a.daemon(a.registerNetwork))
	m.Handle("DELETE /v1/networks/{id}/daemons/self", a.daemon(a.removeSelf))
	// user
	m.Handle("GET /v1/me", a.user(a.me))
	m.Handle("DELETE /v1/me/sessions", a.user(a.signOutEverywhere))
	m.Handle("GET /v1/networks/{id}/daemons", a.user(a.networkDaemons))
	m.Handle("DELETE /v1/tenants/{id}", a.user(ownTenant(a.deregister)))
	m.Handle("POST /v1/tenants/{id}/codes", a.user(ownTenant(a.issueDaemonCode)))
	m.Handle("GET /v1/tenants/{id}/networks", a.user(ownTenant(a.listNetworks)))
	m.Handle("GET /v1/tenants/{id}/daemons", a.user(ownTenant(a.listDaemons)))
	m.Handle("DELETE /v1/tenants/{id}/networks/{slug}", a.user(ownTenant(a.deleteNetwork)))
	m.Handle("POST /v1/tenants/{id}/networks/{slug}/credentials", a.user(ownTenant(a.issueCredential)))
	m.Handle("GET /v1/tenants/{id}/networks/{slug}/credentials", a.user(ownTenant(a.listCredentials)))
	m.Handle("DELETE /v1/tenants/{id}/networks/{slug}/credentials/{credential_id}", a.user(ownTenant(a.revokeCredential)))
}
