package tenantsapi

import (
	"net/http"

	"github.com/wardnet/wardnet-cloud/commands/tenants"
	"github.com/wardnet/wardnet-cloud/internal/endpoint"
	"github.com/wardnet/wardnet-cloud/internal/proxyproto"
	"github.com/wardnet/wardnet-cloud/internal/sessioncookie"
)

// Password login and browser sessions (contract §3.6). The session cookie
// holds a tenants.SessionToken sealed by the cookie jar: the browser can
// neither read nor forge it.

// Bodies of the cookie-authenticated routes' 401s.
const (
	msgNoSession      = "no session"
	msgInvalidSession = "invalid session"
)

type signupRequest struct {
	Email    *string `json:"email"`
	Code     *string `json:"code"`
	Password *string `json:"password"`
}

// signup is POST /v1/auth/password/signup: 204 and a session cookie.
func (a *api) signup(w http.ResponseWriter, r *http.Request) {
	var req signupRequest
	if !endpoint.Decode(w, r, &req) ||
		!endpoint.Require(w, "email", req.Email != nil) ||
		!endpoint.Require(w, "code", req.Code != nil) ||
		!endpoint.Require(w, "password", req.Password != nil) {
		return
	}
	tok, err := a.cmd.Signup(r.Context(), tenants.Signup{Email: *req.Email, Code: *req.Code, Password: *req.Password, Client: proxyproto.ClientIP(r)})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	a.startSession(w, tok)
}

type loginRequest struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
}

// login is POST /v1/auth/password/login: 204 and a session cookie, or 429
// with Retry-After once the client IP has tried too often.
func (a *api) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !endpoint.Decode(w, r, &req) ||
		!endpoint.Require(w, "email", req.Email != nil) || !endpoint.Require(w, "password", req.Password != nil) {
		return
	}
	tok, err := a.cmd.Login(r.Context(), tenants.Login{Email: *req.Email, Password: *req.Password, Client: proxyproto.ClientIP(r)})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	a.startSession(w, tok)
}

type resetRequest struct {
	Code     *string `json:"code"`
	Password *string `json:"password"`
}

// resetPassword is POST /v1/auth/password/reset: 204, no cookie.
func (a *api) resetPassword(w http.ResponseWriter, r *http.Request) {
	var req resetRequest
	if !endpoint.Decode(w, r, &req) ||
		!endpoint.Require(w, "code", req.Code != nil) || !endpoint.Require(w, "password", req.Password != nil) {
		return
	}
	reset := tenants.ResetPassword{Code: *req.Code, Password: *req.Password, Client: proxyproto.ClientIP(r)}
	if err := a.cmd.ResetPassword(r.Context(), reset); err != nil {
		a.fail(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// exchangeSession is POST /v1/auth/token: the session cookie buys a user
// JWT.
func (a *api) exchangeSession(w http.ResponseWriter, r *http.Request) {
	tok, msg := a.sessionFrom(r)
	if msg != "" {
		endpoint.WriteError(w, http.StatusUnauthorized, msg)
		return
	}
	token, err := a.cmd.ExchangeSession(r.Context(), tenants.ExchangeSession{Session: tok})
	if err != nil {
		a.fail(w, r, err, "")
		return
	}
	endpoint.WriteJSON(w, http.StatusOK, tokenResponse{Token: token})
}

// logout is POST /v1/auth/logout: it ends the cookie's session, if the
// cookie names one, and clears the cookie; 204 either way.
func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	if tok, msg := a.sessionFrom(r); msg == "" {
		if err := a.cmd.Logout(r.Context(), tenants.Logout{Session: tok}); err != nil && tenants.KindOf(err) == 0 {
			a.fail(w, r, err, "")
			return
		}
	}
	http.SetCookie(w, sessioncookie.Clear())
	w.WriteHeader(http.StatusNoContent)
}

// startSession sets the cookie of a new session and answers 204.
func (a *api) startSession(w http.ResponseWriter, tok tenants.SessionToken) {
	http.SetCookie(w, sessioncookie.New(a.cookies.Seal(tok.String())))
	w.WriteHeader(http.StatusNoContent)
}

// sessionFrom reads the session cookie of r. It returns the 401 body when
// there is no cookie or the cookie is not one this service sealed.
func (a *api) sessionFrom(r *http.Request) (tenants.SessionToken, string) {
	c, err := r.Cookie(sessioncookie.Name)
	if err != nil || c.Value == "" {
		return tenants.SessionToken{}, msgNoSession
	}
	plain, err := a.cookies.Open(c.Value)
	if err != nil {
		return tenants.SessionToken{}, msgInvalidSession
	}
	tok, err := tenants.ParseSessionToken(plain)
	if err != nil {
		return tenants.SessionToken{}, msgInvalidSession
	}
	return tok, ""
}
