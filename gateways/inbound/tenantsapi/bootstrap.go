package tenantsapi

import (
	"net/http"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/authn"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
)

// The bootstrap group (contract §1.4): each endpoint checks its own
// credential, or none.

// health answers 200 with an empty body.
func (a *api) health(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
}

type codeRequest struct {
	Email   *string `json:"email"`
	Purpose *string `json:"purpose"`
}

// codeResponse is CodeResponse: code is null unless the development mail
// sender echoes it.
type codeResponse struct {
	Code *string `json:"code"`
}

func echoed(c code.Code) codeResponse {
	if c == "" {
		return codeResponse{}
	}
	s := string(c)
	return codeResponse{Code: &s}
}

// issueCode is POST /v1/verification-codes.
func (a *api) issueCode(w http.ResponseWriter, r *http.Request) {
	var req codeRequest
	if !endpoint.Decode(w, r, &req) ||
		!endpoint.Require(w, "email", req.Email != nil) || !endpoint.Require(w, "purpose", req.Purpose != nil) {
		return
	}
	c, err := a.cmd.IssueCode(r.Context(), tenants.IssueCode{Email: *req.Email, Purpose: *req.Purpose, Client: proxyproto.ClientIP(r)})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, echoed(c))
}

type enrollRequest struct {
	Code      *string `json:"code"`
	PublicKey *string `json:"public_key"`
}

type enrollResponse struct {
	TenantID string `json:"tenant_id"`
}

// enroll is POST /v1/enroll.
func (a *api) enroll(w http.ResponseWriter, r *http.Request) {
	var req enrollRequest
	if !endpoint.Decode(w, r, &req) ||
		!endpoint.Require(w, "code", req.Code != nil) || !endpoint.Require(w, "public_key", req.PublicKey != nil) {
		return
	}
	tenant, err := a.cmd.Enroll(r.Context(), tenants.Enroll{Code: *req.Code, PublicKey: *req.PublicKey, Client: proxyproto.ClientIP(r)})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, enrollResponse{TenantID: tenant.String()})
}

type tokenRequest struct {
	PublicKey *string `json:"public_key"`
}

type tokenResponse struct {
	Token string `json:"token"`
}

// mintDaemonToken is POST /v1/token: the request is signed with the key in
// its body (proof of possession, the replay subject being that key), and
// the token is minted for that key.
func (a *api) mintDaemonToken(w http.ResponseWriter, r *http.Request) {
	body, err := authn.ReadBody(r) // in memory: endpoint.LimitBody
	if err != nil {
		endpoint.WriteError(w, http.StatusBadRequest, endpoint.MsgUnreadable)
		return
	}
	var req tokenRequest
	if err := endpoint.DecodeBytes(body, &req); err != nil {
		endpoint.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !endpoint.Require(w, "public_key", req.PublicKey != nil) {
		return
	}
	// The key is parsed here, not by the command: the proof of possession
	// (authentication, the gateway's) is checked with it first.
	key, err := ids.ParseDaemonKey(*req.PublicKey)
	if err != nil {
		endpoint.WriteError(w, http.StatusBadRequest, msgInvalidKey)
		return
	}
	if !a.proveKey(w, r, key, body) {
		return
	}
	token, err := a.cmd.MintDaemonToken(r.Context(), tenants.MintDaemonToken{Key: key})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, tokenResponse{Token: token})
}
