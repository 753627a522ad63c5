package ddnsapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// Config is what the API runs on. Commands, Auth and Keys are required.
type Config struct {
	// Commands are the ddns service's commands (*ddns.App).
	Commands ddns.Commands
	// Auth authenticates daemon tokens (audience ddns) and their proofs of
	// possession.
	Auth *authn.Authenticator
	// Keys are the token verifying keys Auth uses (the tenants service's
	// JWKS), with which a tenant-scoped daemon token is recognised, to be
	// told that it needs a network.
	Keys tokens.KeySource
	// Logger gets the request log and failures; default slog.Default().
	Logger *slog.Logger
}

// api holds the handlers' dependencies.
type api struct {
	cmd           ddns.Commands
	auth          *authn.Authenticator
	tenantsTokens *tokens.Verifier // tokens addressed to tenants, see requireNetworkScope
	log           *slog.Logger
	mux           *http.ServeMux
}

// New returns the API's handler: its routes behind the request log, panic
// recovery and the body cap.
func New(cfg Config) (http.Handler, error) {
	var missing []string
	if cfg.Commands == nil {
		missing = append(missing, "Commands")
	}
	if cfg.Auth == nil {
		missing = append(missing, "Auth")
	}
	if cfg.Keys == nil {
		missing = append(missing, "Keys")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("ddnsapi: missing %s", strings.Join(missing, ", "))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &api{
		cmd:           cfg.Commands,
		auth:          cfg.Auth,
		tenantsTokens: tokens.NewVerifier(tokens.AudienceTenants, cfg.Keys),
		log:           endpoint.Logger(cfg.Logger),
		mux:           http.NewServeMux(),
	}
	a.routes()
	return endpoint.Wrap(a.log, time.Now, endpoint.Route(a.mux)), nil
}

// routes registers every route of docs/api/ddns.yaml.
func (a *api) routes() {
	m := a.mux
	m.HandleFunc("GET /v1/health", health)
	m.Handle("PUT /v1/ip", a.daemon(a.reportIP))
	m.Handle("PUT /v1/acme-challenge", a.daemon(a.setChallenge))
	m.Handle("DELETE /v1/acme-challenge", a.daemon(a.clearChallenge))
	// stock clients, with update credentials
	m.HandleFunc("GET /nic/update", a.dyndnsUpdate)
	m.HandleFunc("POST /register", a.acmeRegister)
	m.HandleFunc("POST /update", a.acmeUpdate)
}
