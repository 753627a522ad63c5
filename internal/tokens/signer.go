package tokens

import (
	"crypto/ed25519"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Signer mints tokens with the current key and publishes, besides it, the
// other keys that must keep verifying (retired keys until their tokens
// expire, and keys announced before they sign). Only tenants holds one. A
// Signer is immutable and safe for concurrent use.
type Signer struct {
	key  ed25519.PrivateKey
	kid  KeyID
	keys KeySet // current first
}

// NewSigner signs with current and publishes current plus others.
func NewSigner(current ed25519.PrivateKey, others ...ed25519.PublicKey) (*Signer, error) {
	if len(current) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("signer: private key has %d bytes, want %d", len(current), ed25519.PrivateKeySize)
	}
	pub := current.Public().(ed25519.PublicKey)
	keys, err := NewKeySet(append([]ed25519.PublicKey{pub}, others...)...)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	return &Signer{key: current, kid: Thumbprint(pub), keys: keys}, nil
}

// KeyID is the kid of the tokens this Signer mints.
func (s *Signer) KeyID() KeyID { return s.kid }

// Keys is every key this Signer publishes, the current one first: the
// tenants service's verifying keys and the content of its JWKS.
func (s *Signer) Keys() KeySet { return s.keys }

// Sign mints a token with claims c. It refuses claims that no Verifier
// would accept (see Claims.check), and any issuer but Issuer.
func (s *Signer) Sign(c Claims) (string, error) {
	if c.Issuer != Issuer {
		return "", fmt.Errorf("sign: %w: iss %q", ErrIssuer, c.Issuer)
	}
	if err := c.check(); err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = string(s.kid)
	signed, err := t.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return signed, nil
}
