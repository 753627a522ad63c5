package tokens

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// KeyID identifies a verifying key: its RFC 7638 JWK thumbprint, the
// base64url (no padding) SHA-256 of {"crv":"Ed25519","kty":"OKP","x":"…"}.
// Every token names its key in the kid header.
type KeyID string

// Thumbprint computes the KeyID of key.
func Thumbprint(key ed25519.PublicKey) KeyID {
	// RFC 7638 §3.2: the required members only, in lexicographic order,
	// no whitespace. None of the values needs JSON escaping.
	canonical := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(key) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return KeyID(base64.RawURLEncoding.EncodeToString(sum[:]))
}

const (
	pemPrivate = "PRIVATE KEY" // PKCS#8
	pemPublic  = "PUBLIC KEY"  // SPKI
)

// ParsePrivateKeyPEM parses an Ed25519 private key in PKCS#8 PEM
// ("BEGIN PRIVATE KEY"), the format of JWT_SIGNING_KEY_PATH.
func ParsePrivateKeyPEM(data []byte) (ed25519.PrivateKey, error) {
	der, err := onePEMBlock(data, pemPrivate)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("parse private key: %T is not Ed25519", k)
	}
	return priv, nil
}

// ParsePublicKeyPEM parses an Ed25519 public key in SPKI PEM
// ("BEGIN PUBLIC KEY"), the format of JWT_VERIFY_KEY_PATH.
func ParsePublicKeyPEM(data []byte) (ed25519.PublicKey, error) {
	der, err := onePEMBlock(data, pemPublic)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("parse public key: %T is not Ed25519", k)
	}
	return pub, nil
}

// LoadPrivateKey reads a PKCS#8 PEM private key file. Errors name the
// path, never the file's content.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	k, err := ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return k, nil
}

// LoadPublicKey reads an SPKI PEM public key file.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("verify key: %w", err)
	}
	k, err := ParsePublicKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("verify key %s: %w", path, err)
	}
	return k, nil
}

// MarshalPrivateKeyPEM encodes key as PKCS#8 PEM.
func MarshalPrivateKeyPEM(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der}), nil
}

// MarshalPublicKeyPEM encodes key as SPKI PEM.
func MarshalPublicKeyPEM(key ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: der}), nil
}

// GenerateKeyPEM makes a new signing key from random (crypto/rand.Reader
// in production) and returns it as PKCS#8 PEM, for wardnet-dev and tests.
func GenerateKeyPEM(random io.Reader) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return MarshalPrivateKeyPEM(priv)
}

// onePEMBlock returns the DER of the only PEM block in data, which must
// have type typ. A file with a second block is refused rather than half
// read.
func onePEMBlock(data []byte, typ string) ([]byte, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if block.Type != typ {
		return nil, fmt.Errorf("PEM block is %q, want %q", block.Type, typ)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("data after the PEM block")
	}
	return block.Bytes, nil
}
