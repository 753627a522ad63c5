package sessioncookie

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/hkdf"
)

// Name is the session cookie's name, and the additional data of its
// sealed values.
const Name = "wardnet_session"

// MaxAge is the cookie's lifetime in the browser.
const MaxAge = 30 * 24 * time.Hour

// MinKeyLen is the least length of a cookie key, in bytes.
const MinKeyLen = 64

// MaxSealedLen bounds what Open reads: browsers keep at most 4096 bytes
// per cookie.
const MaxSealedLen = 4096

// hkdfInfo names what the derived key is for; changing it invalidates
// every session cookie.
const hkdfInfo = "wardnet-cloud sessioncookie v1 AES-256-GCM"

// ErrInvalid is returned by Open for every reason a value does not open:
// malformed, truncated, oversized, tampered with, or sealed under another
// key or for another cookie. Callers treat it as "no session".
var ErrInvalid = errors.New("invalid session cookie")

var b64 = base64.RawURLEncoding.Strict()

// Sealer seals and opens session cookie values. It is safe for concurrent
// use.
type Sealer struct {
	aead cipher.AEAD // random nonce, prepended to the ciphertext
}

// NewSealer derives the cookie cipher from key, which must have at least
// MinKeyLen bytes. The Sealer keeps no reference to key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("session cookie key: %d bytes, want at least %d", len(key), MinKeyLen)
	}
	aesKey, err := deriveKey(key)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, fmt.Errorf("session cookie key: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("session cookie key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// deriveKey is HKDF-SHA256 of key, without salt (key is a random secret),
// with hkdfInfo: 32 bytes for AES-256.
func deriveKey(key []byte) ([]byte, error) {
	out := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, key, nil, []byte(hkdfInfo)), out); err != nil {
		return nil, fmt.Errorf("session cookie key: derive: %w", err)
	}
	return out, nil
}

// Seal encrypts value for the session cookie. Values up to about 3 KB
// make cookies that Open accepts.
func (s *Sealer) Seal(value string) string {
	return b64.EncodeToString(s.aead.Seal(nil, nil, []byte(value), []byte(Name)))
}

// Open decrypts a value made by Seal under the same key. Every failure is
// ErrInvalid.
func (s *Sealer) Open(sealed string) (string, error) {
	if len(sealed) > MaxSealedLen {
		return "", fmt.Errorf("%w: %d bytes", ErrInvalid, len(sealed))
	}
	raw, err := b64.DecodeString(sealed)
	if err != nil || strings.ContainsAny(sealed, "\r\n") { // the decoder skips line breaks
		return "", fmt.Errorf("%w: not base64url", ErrInvalid)
	}
	if len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return "", fmt.Errorf("%w: truncated", ErrInvalid)
	}
	plain, err := s.aead.Open(nil, nil, raw, []byte(Name))
	if err != nil {
		return "", fmt.Errorf("%w: does not authenticate", ErrInvalid)
	}
	return string(plain), nil
}

// New is the Set-Cookie for a sealed value (from Seal).
func New(sealedValue string) *http.Cookie {
	return &http.Cookie{
		Name:     Name,
		Value:    sealedValue,
		Path:     "/",
		MaxAge:   int(MaxAge / time.Second),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	}
}

// Clear is the Set-Cookie that removes the session cookie (Max-Age=0).
func Clear() *http.Cookie {
	c := New("")
	c.MaxAge = -1 // net/http writes Max-Age=0
	return c
}
