package ddnsapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/commands/ddns"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// The acme-dns API (github.com/joohoi/acme-dns), for ACME clients with an
// acme-dns provider: POST /register makes an account, POST /update
// publishes a DNS-01 value with it. Bodies and error strings are
// acme-dns's, and so is the account's fulldomain: the name whose TXT
// record /update sets, _acme-challenge.<slug>.<zone>, to which a user's
// own domain may delegate its challenge with a CNAME. docs/ddns.md lists
// where this differs from acme-dns (/register takes the network's update
// credential; each account's values are published beside the daemon's and
// the other accounts' at that one name).

// acme-dns's error strings.
const (
	acmeForbidden     = "forbidden"
	acmeBadTXT        = "bad_txt"
	acmeMalformedJSON = "malformed_json_payload"
	acmeDBError       = "db_error"
	// Not acme-dns's, which has neither limit.
	acmeTooMany      = "too_many_requests"
	acmeAccountLimit = "account_limit"
)

type acmeRegisterRequest struct {
	AllowFrom []string `json:"allowfrom"`
}

type acmeRegisterResponse struct {
	Username   string   `json:"username"`
	Password   string   `json:"password"`
	Fulldomain string   `json:"fulldomain"`
	Subdomain  string   `json:"subdomain"`
	Allowfrom  []string `json:"allowfrom"`
}

type acmeUpdateRequest struct {
	Subdomain string `json:"subdomain"`
	TXT       string `json:"txt"`
}

type acmeUpdateResponse struct {
	TXT string `json:"txt"`
}

// acmeRegister is POST /register, authenticated with an update credential
// as HTTP Basic. An allowfrom list is accepted and not enforced: the
// answer's empty allowfrom says so.
func (a *api) acmeRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := a.cmd.AdmitClient(ctx, proxyproto.ClientIP(r)); err != nil {
		a.acmeFail(w, r, err)
		return
	}
	username, secret, ok := basicAuth(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="wardnet ddns", charset="UTF-8"`)
		endpoint.WriteError(w, http.StatusUnauthorized, acmeForbidden)
		return
	}
	client, err := a.cmd.Authenticate(ctx, ddns.Authenticate{Username: username, Secret: secret, Kind: network.CredentialUpdate})
	if err != nil {
		a.acmeFail(w, r, err)
		return
	}
	body, err := authn.ReadBody(r)
	if err != nil {
		endpoint.WriteError(w, http.StatusBadRequest, acmeMalformedJSON)
		return
	}
	if len(body) > 0 {
		var req acmeRegisterRequest
		if json.Unmarshal(body, &req) != nil {
			endpoint.WriteError(w, http.StatusBadRequest, acmeMalformedJSON)
			return
		}
	}
	if err := a.cmd.AdmitUpdate(ctx, client); err != nil {
		a.acmeFail(w, r, err)
		return
	}
	acc, err := a.cmd.RegisterACME(ctx, client)
	if err != nil {
		a.acmeFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	endpoint.WriteJSON(w, http.StatusCreated, acmeRegisterResponse{Username: acc.Username, Password: acc.Password,
		Fulldomain: acc.FullDomain, Subdomain: acc.Subdomain, Allowfrom: []string{}})
}

// acmeUpdate is POST /update, authenticated with an account's X-Api-User
// and X-Api-Key. As in acme-dns, a body that does not decode or names
// another subdomain is the account's failure (401 forbidden).
func (a *api) acmeUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := a.cmd.AdmitClient(ctx, proxyproto.ClientIP(r)); err != nil {
		a.acmeFail(w, r, err)
		return
	}
	// An account's username is its id and its key 40 characters:
	// Authenticate refuses anything else at once, as acme-dns does.
	client, err := a.cmd.Authenticate(ctx, ddns.Authenticate{Username: r.Header.Get("X-Api-User"),
		Secret: r.Header.Get("X-Api-Key"), Kind: network.CredentialACMEDNS})
	if err != nil {
		a.acmeFail(w, r, err)
		return
	}
	var req acmeUpdateRequest
	if body, err := authn.ReadBody(r); err != nil || json.Unmarshal(body, &req) != nil {
		endpoint.WriteError(w, http.StatusUnauthorized, acmeForbidden)
		return
	}
	if err := a.cmd.AdmitUpdate(ctx, client); err != nil {
		a.acmeFail(w, r, err)
		return
	}
	if err := a.cmd.AddACMEChallenge(ctx, ddns.AddACMEChallenge{Client: client, Subdomain: req.Subdomain, TXT: req.TXT}); err != nil {
		a.acmeFail(w, r, err)
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, acmeUpdateResponse{TXT: req.TXT})
}

// acmeFail answers a refused acme-dns request in acme-dns's terms; an
// internal failure is logged and answered 500 db_error.
func (a *api) acmeFail(w http.ResponseWriter, r *http.Request, err error) {
	var te *ddns.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", endpoint.RetryAfter(te.RetryAfter))
		endpoint.WriteError(w, http.StatusTooManyRequests, acmeTooMany)
	case errors.Is(err, ddns.ErrBadCredentials), errors.Is(err, ddns.ErrNotServedHere),
		errors.Is(err, ddns.ErrWrongSubdomain):
		endpoint.WriteError(w, http.StatusUnauthorized, acmeForbidden)
	case errors.Is(err, ddns.ErrBadTXT):
		endpoint.WriteError(w, http.StatusBadRequest, acmeBadTXT)
	case errors.Is(err, ddns.ErrAccountLimit):
		endpoint.WriteError(w, http.StatusConflict, acmeAccountLimit)
	case errors.Is(err, ddns.ErrUnavailable):
		// acme-dns's answer when its database fails: its clients retry.
		a.log.WarnContext(r.Context(), "acme-dns request cannot be answered now", "err", err)
		endpoint.WriteError(w, http.StatusInternalServerError, acmeDBError)
	default:
		a.log.ErrorContext(r.Context(), "acme-dns request failed", "err", err)
		endpoint.WriteError(w, http.StatusInternalServerError, acmeDBError)
	}
}
