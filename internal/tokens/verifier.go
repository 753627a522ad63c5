package tokens

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeySource finds the verifying key a token's kid names. KeySet is the
// static one, RemoteKeys follows a JWKS. Key returns an error wrapping
// ErrUnknownKey for a kid it does not know, or ErrKeysUnavailable when it
// could not find out.
type KeySource interface {
	Key(ctx context.Context, kid KeyID) (ed25519.PublicKey, error)
}

// MaxTokenLen bounds what Verify reads; a real token is about 600 bytes.
const MaxTokenLen = 8 << 10

// Verifier checks tokens for one service. It is safe for concurrent use.
type Verifier struct {
	service Audience
	keys    KeySource
	parser  *jwt.Parser
}

// NewVerifier verifies tokens addressed to service with keys from keys.
func NewVerifier(service Audience, keys KeySource) *Verifier {
	return &Verifier{
		service: service,
		keys:    keys,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithStrictDecoding(),
			// Time, issuer and audience are checked below, against the
			// caller's clock and with this package's errors.
			jwt.WithoutClaimsValidation(),
		),
	}
}

// Service is the audience this Verifier requires.
func (v *Verifier) Service() Audience { return v.service }

// Verify checks token at time now and returns its claims. A token is good
// when it is a compact JWS with alg EdDSA, its kid names a known key whose
// signature verifies, iss is Issuer, now is before exp (no leeway: a token
// is dead at exp), aud includes the Verifier's service, and the claims are
// well formed (a daemon token carries a 32-byte cnf equal to its sub).
//
// Every refusal wraps ErrInvalidToken, except ErrKeysUnavailable. The
// principal is not checked here: which callers a route takes is package
// authn's decision, made on Claims.Principal.
func (v *Verifier) Verify(ctx context.Context, token string, now time.Time) (Claims, error) {
	if len(token) > MaxTokenLen {
		return Claims{}, fmt.Errorf("%w: %d bytes", ErrMalformed, len(token))
	}
	var c Claims
	parsed, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodEdDSA { // WithValidMethods already; belt and braces
			return nil, ErrAlgorithm
		}
		kid, ok := t.Header["kid"].(string)
		if !ok || kid == "" {
			return nil, fmt.Errorf("%w: no kid", ErrUnknownKey)
		}
		return v.keys.Key(ctx, KeyID(kid))
	})
	if err != nil {
		return Claims{}, classify(parsed, err)
	}
	if c.Issuer != Issuer {
		return Claims{}, fmt.Errorf("%w: %q", ErrIssuer, c.Issuer)
	}
	if !now.Before(time.Unix(c.ExpiresAt, 0)) {
		return Claims{}, ErrExpired
	}
	if !c.HasAudience(v.service) {
		return Claims{}, fmt.Errorf("%w: want %q", ErrAudience, v.service)
	}
	if err := c.check(); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// classify turns the JWT library's error into one of this package's.
func classify(t *jwt.Token, err error) error {
	switch {
	case errors.Is(err, ErrKeysUnavailable), errors.Is(err, ErrInvalidToken):
		return err // from our key function, already classified
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	case t != nil && t.Method != jwt.SigningMethodEdDSA:
		// none, HS256 and the like (refused by WithValidMethods), or an
		// alg the library does not know.
		return ErrAlgorithm
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return ErrSignature
	default:
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
}
