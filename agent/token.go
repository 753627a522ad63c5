package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// Token lifetimes as a daemon sees them (contract §11).
const (
	// RefreshBefore: a cached token with less than this left is re-minted.
	RefreshBefore = 120 * time.Second
	// FallbackTTL: how long a token whose exp cannot be read is used.
	FallbackTTL = 300 * time.Second
)

// cachedToken is a minted token and when it stops being used.
type cachedToken struct {
	raw     string
	expires time.Time
}

// fresh tells whether the token may still be used at now.
func (t cachedToken) fresh(now time.Time) bool {
	return t.raw != "" && t.expires.Sub(now) >= RefreshBefore
}

// newCachedToken reads the expiry of a token minted at now: its exp claim,
// or now + FallbackTTL when that cannot be read.
func newCachedToken(raw string, now time.Time) cachedToken {
	exp, ok := tokenExpiry(raw)
	if !ok {
		exp = now.Add(FallbackTTL)
	}
	return cachedToken{raw: raw, expires: exp}
}

// tokenExpiry reads the exp claim of a JWT by base64url-decoding its payload.
// The token is not verified: a daemon treats it as opaque but for exp.
func tokenExpiry(raw string) (time.Time, bool) {
	var p struct {
		Exp json.Number `json:"exp"`
	}
	if err := decodePayload(raw, &p); err != nil || p.Exp == "" {
		return time.Time{}, false
	}
	sec, err := p.Exp.Int64()
	if err != nil { // NumericDate may have a fraction (RFC 7519 §2)
		f, ferr := p.Exp.Float64()
		if ferr != nil || f > math.MaxInt64/2 {
			return time.Time{}, false
		}
		sec = int64(f)
	}
	if sec <= 0 {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// decodePayload decodes the middle part of a compact JWT into v.
func decodePayload(raw string, v any) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return fmt.Errorf("token has %d parts, want 3", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return fmt.Errorf("token payload: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("token payload: %w", err)
	}
	return nil
}

// Claims is the payload of a daemon token (contract §3.1), read without
// verifying the signature: for display and for tests, never for trust.
type Claims struct {
	Issuer    string   `json:"iss"`
	TenantID  TenantID `json:"tid"`
	Principal string   `json:"pt"`
	Subject   string   `json:"sub"`
	// Network is set only on a network-scoped token.
	Network      NetworkID `json:"net,omitempty"`
	Confirmation *struct {
		Ed25519 string `json:"ed25519"`
	} `json:"cnf,omitempty"`
	Audience  audience `json:"aud"`
	IssuedAt  int64    `json:"iat"`
	ExpiresAt int64    `json:"exp"`
}

// audience accepts aud as an array (what tenants mints) or a single string
// (what RFC 7519 also allows).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud: %w", err)
	}
	*a = many
	return nil
}

// ParseClaims decodes the payload of a token without verifying it.
func ParseClaims(token string) (Claims, error) {
	var c Claims
	if err := decodePayload(token, &c); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// Token returns a daemon token: the cached one while at least RefreshBefore
// of it remains, else a fresh one from POST /v1/token. A 403 there means the
// tenant is deregistered or has no active subscription: the client is then
// Suspended until a later mint succeeds.
func (c *Client) Token(ctx context.Context) (string, error) {
	tok, _, err := c.credentials(ctx)
	return tok, err
}

// ForgetToken drops the cached token, so that the next call mints one; after
// a network registration that one is network-scoped.
func (c *Client) ForgetToken() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetTokenLocked()
}

// forgetTokenLocked drops the cached token and any mint in flight for the
// identity as it was. c.mu must be held.
func (c *Client) forgetTokenLocked() {
	c.tok = cachedToken{}
	c.gen++
}

// Suspended tells whether the last token mint was refused with 403 (tenant
// deregistered or without an active subscription) and none has succeeded
// since.
func (c *Client) Suspended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.suspended
}

// credentials returns a usable token and the key it is bound to, minting
// one when needed. Mints are serialised, so concurrent callers share one.
func (c *Client) credentials(ctx context.Context) (string, ed25519.PrivateKey, error) {
	if tok, key, ok, err := c.cachedCredentials(); ok || err != nil {
		return tok, key, err
	}
	c.mintMu.Lock()
	defer c.mintMu.Unlock()
	// Another caller may have minted while this one waited.
	if tok, key, ok, err := c.cachedCredentials(); ok || err != nil {
		return tok, key, err
	}
	c.mu.Lock()
	key, pub, gen := c.key, c.st.PublicKey, c.gen
	c.mu.Unlock()

	raw, err := c.mint(ctx, key, pub)

	c.mu.Lock()
	defer c.mu.Unlock()
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusForbidden {
		if !c.suspended {
			c.log.Warn("token refused: suspended", "tenant", c.st.TenantID, "reason", apiErr.Message)
		}
		c.suspended = true
	}
	if err != nil {
		return "", nil, fmt.Errorf("mint token: %w", err)
	}
	if c.suspended {
		c.log.Info("token minted again: no longer suspended", "tenant", c.st.TenantID)
	}
	c.suspended = false
	if gen == c.gen { // else the identity changed or the token was forgotten meanwhile
		c.tok = newCachedToken(raw, c.now())
		c.log.Debug("token minted", "tenant", c.st.TenantID, "expires", c.tok.expires)
	}
	return raw, key, nil
}

// cachedCredentials returns the cached token if it is fresh (ok), or
// ErrNotEnrolled.
func (c *Client) cachedCredentials() (tok string, key ed25519.PrivateKey, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == nil {
		return "", nil, false, ErrNotEnrolled
	}
	if c.tok.fresh(c.now()) {
		return c.tok.raw, c.key, true, nil
	}
	return "", nil, false, nil
}

// mint calls POST /v1/token, authenticated by a proof of possession of key
// alone (no bearer token).
func (c *Client) mint(ctx context.Context, key ed25519.PrivateKey, pub string) (string, error) {
	body, err := json.Marshal(struct {
		PublicKey string `json:"public_key"`
	}{pub})
	if err != nil {
		return "", fmt.Errorf("encode token request: %w", err)
	}
	var resp struct {
		Token string `json:"token"`
	}
	if err := c.send(ctx, http.MethodPost, "/v1/token", body, creds{key: key}, &resp); err != nil {
		return "", err
	}
	if resp.Token == "" {
		return "", errors.New("the server answered no token")
	}
	return resp.Token, nil
}
