package authn

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/pop"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// bearerPrefix is the exact, case-sensitive prefix of the Authorization
// header (contract §3.2 step 3).
const bearerPrefix = "Bearer "

// Options configure an Authenticator. Zero fields take the defaults.
type Options struct {
	// Clock reads the time tokens are checked against; default time.Now.
	// Proofs of possession use the pop.Verifier's own clock.
	Clock func() time.Time
	// Logger gets refusals (debug) and dependency failures (warn), never
	// tokens, signatures or bodies; default slog.Default().
	Logger *slog.Logger
}

// Authenticator authenticates requests with a token verifier for this
// service's audience and a proof-of-possession verifier. It is safe for
// concurrent use.
type Authenticator struct {
	tokens *tokens.Verifier
	pop    *pop.Verifier
	now    func() time.Time
	log    *slog.Logger
}

// New returns an Authenticator that verifies tokens with tv and proofs of
// possession with pv.
func New(tv *tokens.Verifier, pv *pop.Verifier, opts Options) *Authenticator {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Authenticator{tokens: tv, pop: pv, now: opts.Clock, log: opts.Logger}
}

// Require returns the middleware of contract §3.2 for a route that takes
// the allowed principals. The handler runs only for an authenticated
// caller of an allowed kind; it finds the Caller with FromContext and the
// body in r.Body (in memory) or through ReadBody.
func (a *Authenticator) Require(allowed ...tokens.Principal) func(http.Handler) http.Handler {
	allowed = slices.Clone(allowed)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller, ok := a.authenticate(w, r, allowed)
			if !ok {
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), caller)))
		})
	}
}

// authenticate runs the steps of §3.2 in order. On a refusal it has
// answered and returns false.
func (a *Authenticator) authenticate(w http.ResponseWriter, r *http.Request, allowed []tokens.Principal) (Caller, bool) {
	ctx := r.Context()
	// 1. The body, always first.
	body, err := ReadBody(r)
	if err != nil {
		if errors.Is(err, ErrBodyTooLarge) {
			return a.refuse(w, r, http.StatusRequestEntityTooLarge, ErrBodyTooLarge.Error())
		}
		return a.refuse(w, r, http.StatusBadRequest, msgBadBody)
	}
	// 3. The bearer token (2, mesh callers, is not on public listeners).
	auth := r.Header.Values("Authorization")
	if len(auth) != 1 || !strings.HasPrefix(auth[0], bearerPrefix) {
		return a.refuse(w, r, http.StatusUnauthorized, msgAuthRequired)
	}
	// 4. The token.
	claims, err := a.tokens.Verify(ctx, strings.TrimPrefix(auth[0], bearerPrefix), a.now())
	if err != nil {
		if errors.Is(err, tokens.ErrKeysUnavailable) {
			a.log.WarnContext(ctx, "authentication: verifying keys unavailable", "err", err)
			return a.refuse(w, r, http.StatusServiceUnavailable, msgUnavailable)
		}
		a.log.DebugContext(ctx, "authentication: token refused", "reason", err.Error())
		return a.refuse(w, r, http.StatusUnauthorized, msgInvalidToken)
	}
	// 5, 6. The principal, and for a daemon its proof of possession.
	if !slices.Contains(allowed, claims.Principal) {
		return a.refuse(w, r, http.StatusForbidden, msgNotAccepted(string(claims.Principal)))
	}
	caller := Caller{
		Principal: claims.Principal,
		TenantID:  claims.TenantID,
		Subject:   claims.Subject,
		NetworkID: claims.Network,
	}
	if claims.Principal != tokens.PrincipalDaemon {
		return caller, true
	}
	key, err := claims.ConfirmationKey()
	if err != nil { // the Verifier refuses such tokens already
		return a.refuse(w, r, http.StatusUnauthorized, msgInvalidToken)
	}
	if !a.checkPoP(ctx, w, r, claims.Subject, key, body) {
		return Caller{}, false
	}
	caller.PublicKey = key
	return caller, true
}

// VerifyTokenRequest is the credential of POST /v1/token, which has no
// bearer token: r, whose body is body (see ReadBody), must carry a proof of
// possession of key, the public_key of its body, which is also the replay
// subject (in its wire form, tokens.EncodeKey). The handler parses the
// body and answers 400 for a malformed one before calling this.
//
// It returns nil, one of pop.ErrTimestamp, pop.ErrSignature and
// pop.ErrReplayed (answer 401 with the error's text), or another error
// when the replay cache could not be reached (answer 503).
func (a *Authenticator) VerifyTokenRequest(ctx context.Context, r *http.Request, key ed25519.PublicKey, body []byte) error {
	return a.pop.Verify(ctx, r, tokens.EncodeKey(key), key, body)
}

// checkPoP verifies a daemon's proof of possession; on a refusal it has
// answered and returns false.
func (a *Authenticator) checkPoP(ctx context.Context, w http.ResponseWriter, r *http.Request, subject string, key ed25519.PublicKey, body []byte) bool {
	err := a.pop.Verify(ctx, r, subject, key, body)
	switch {
	case err == nil:
		return true
	case errors.Is(err, pop.ErrTimestamp), errors.Is(err, pop.ErrSignature), errors.Is(err, pop.ErrReplayed):
		a.refuse(w, r, http.StatusUnauthorized, err.Error())
	default:
		a.log.WarnContext(ctx, "authentication: replay cache unavailable", "err", err)
		a.refuse(w, r, http.StatusServiceUnavailable, msgUnavailable)
	}
	return false
}

// refuse answers a refusal and logs it at debug level: the method and
// route, never the path's ids, headers or body.
func (a *Authenticator) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) (Caller, bool) {
	a.log.DebugContext(r.Context(), "authentication refused", "method", r.Method, "route", r.Pattern, "status", status, "reason", msg)
	writeError(w, status, msg)
	return Caller{}, false
}
