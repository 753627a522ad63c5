package tokens

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the only issuer a token may name: tenants signs every token.
const Issuer = "tenants"

// DaemonTTL is the lifetime of a daemon token (contract §3.1, a constant).
const DaemonTTL = 3600 * time.Second

// DefaultUserTTL is the lifetime of a user token unless configured otherwise.
const DefaultUserTTL = 300 * time.Second

// Principal is the kind of caller a token was minted for (claim pt).
type Principal string

// The principals of contract §3.1.
const (
	PrincipalDaemon Principal = "daemon"
	PrincipalUser   Principal = "user"
)

// Audience names a service that accepts a token (an element of claim aud).
// A Verifier accepts only tokens that name its own service.
type Audience string

// The three services.
const (
	AudienceTenants   Audience = "tenants"
	AudienceDDNS      Audience = "ddns"
	AudienceTunneller Audience = "tunneller"
)

// Confirmation is the cnf claim (RFC 7800): the daemon's Ed25519 public
// key, standard base64 with padding, against which its requests' proof of
// possession is checked.
type Confirmation struct {
	Ed25519 string `json:"ed25519"`
}

// Claims is the payload of a token. The fields are in the order of
// contract §3.1 so that minted payloads read like the contract.
type Claims struct {
	Issuer       string        `json:"iss"`
	TenantID     string        `json:"tid"`
	Principal    Principal     `json:"pt"`
	Subject      string        `json:"sub"`
	Network      string        `json:"net,omitempty"` // empty: not network-scoped
	Confirmation *Confirmation `json:"cnf,omitempty"` // daemons only
	Audience     []Audience    `json:"aud"`
	IssuedAt     int64         `json:"iat"` // Unix seconds
	ExpiresAt    int64         `json:"exp"` // Unix seconds
}

// EncodeKey is the wire form of an Ed25519 public key in sub, cnf and the
// public_key fields of the API: standard base64 with padding of the 32 bytes.
func EncodeKey(key ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(key) }

// DecodeKey parses the wire form of EncodeKey strictly: canonical padding,
// no line breaks, exactly 32 bytes.
func DecodeKey(s string) (ed25519.PublicKey, error) {
	if strings.ContainsAny(s, "\r\n") { // the decoder would skip them
		return nil, fmt.Errorf("key: line break in base64")
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("key: %d bytes, want %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// DaemonClaims are the claims of a daemon token issued at now. With a
// network the token is network-scoped and reaches all three services;
// without one (a pending enrollment) it is tenant-scoped and reaches
// tenants only.
func DaemonClaims(tenant string, key ed25519.PublicKey, network string, now time.Time) Claims {
	k := EncodeKey(key)
	aud := []Audience{AudienceTenants}
	if network != "" {
		aud = []Audience{AudienceTenants, AudienceDDNS, AudienceTunneller}
	}
	iat := now.Unix()
	return Claims{
		Issuer:       Issuer,
		TenantID:     tenant,
		Principal:    PrincipalDaemon,
		Subject:      k,
		Network:      network,
		Confirmation: &Confirmation{Ed25519: k},
		Audience:     aud,
		IssuedAt:     iat,
		ExpiresAt:    iat + int64(DaemonTTL/time.Second),
	}
}

// UserClaims are the claims of a user token issued at now, living ttl
// (whole seconds; DefaultUserTTL when ttl is under a second). A user's
// subject is its tenant: there is one user per tenant.
func UserClaims(tenant string, now time.Time, ttl time.Duration) Claims {
	secs := int64(ttl / time.Second)
	if secs < 1 {
		secs = int64(DefaultUserTTL / time.Second)
	}
	iat := now.Unix()
	return Claims{
		Issuer:    Issuer,
		TenantID:  tenant,
		Principal: PrincipalUser,
		Subject:   tenant,
		Audience:  []Audience{AudienceTenants},
		IssuedAt:  iat,
		ExpiresAt: iat + secs,
	}
}

// NetworkScoped reports whether the token is bound to a network.
func (c Claims) NetworkScoped() bool { return c.Network != "" }

// HasAudience reports whether the token names service among its audiences.
func (c Claims) HasAudience(service Audience) bool { return slices.Contains(c.Audience, service) }

// ConfirmationKey decodes the cnf key of a daemon token.
func (c Claims) ConfirmationKey() (ed25519.PublicKey, error) {
	if c.Confirmation == nil {
		return nil, fmt.Errorf("%w: no cnf", ErrClaims)
	}
	k, err := DecodeKey(c.Confirmation.Ed25519)
	if err != nil {
		return nil, fmt.Errorf("%w: cnf: %v", ErrClaims, err)
	}
	return k, nil
}

// check enforces the shape every token must have, whoever verifies it; the
// Signer refuses to sign what would fail it. Time, issuer and audience are
// the Verifier's business.
func (c Claims) check() error {
	if c.TenantID == "" || c.Subject == "" {
		return fmt.Errorf("%w: empty tid or sub", ErrClaims)
	}
	if len(c.Audience) == 0 {
		return fmt.Errorf("%w: no aud", ErrClaims)
	}
	if c.ExpiresAt <= c.IssuedAt {
		return fmt.Errorf("%w: exp not after iat", ErrClaims)
	}
	switch c.Principal {
	case PrincipalDaemon:
		if _, err := c.ConfirmationKey(); err != nil {
			return err
		}
		// sub is the daemon's identity everywhere (replay subject, the
		// daemon row); it must be the key the daemon proves.
		if c.Subject != c.Confirmation.Ed25519 {
			return fmt.Errorf("%w: daemon sub differs from cnf", ErrClaims)
		}
	case PrincipalUser:
		if c.Confirmation != nil {
			return fmt.Errorf("%w: user token with cnf", ErrClaims)
		}
	default:
		return fmt.Errorf("%w: unknown pt %q", ErrClaims, c.Principal)
	}
	return nil
}

// The methods below satisfy jwt.Claims so that the library can decode
// into Claims; its own claim validation is not used (Verifier.Verify
// checks time, issuer and audience itself, against the injected clock).

// GetExpirationTime implements jwt.Claims.
func (c Claims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)), nil
}

// GetIssuedAt implements jwt.Claims.
func (c Claims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}

// GetNotBefore implements jwt.Claims: tokens carry no nbf.
func (c Claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer implements jwt.Claims.
func (c Claims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject implements jwt.Claims.
func (c Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements jwt.Claims.
func (c Claims) GetAudience() (jwt.ClaimStrings, error) {
	out := make(jwt.ClaimStrings, len(c.Audience))
	for i, a := range c.Audience {
		out[i] = string(a)
	}
	return out, nil
}

var _ jwt.Claims = Claims{}
