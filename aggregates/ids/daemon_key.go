package ids

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// ErrInvalidKey is the error of ParseDaemonKey and DaemonKeyOf.
var ErrInvalidKey = errors.New("invalid public key")

// DaemonKey is a daemon's Ed25519 public key.
type DaemonKey [ed25519.PublicKeySize]byte

// DaemonID is the id of a daemon key's aggregate: the hex SHA-256 of the
// key (its fingerprint, DaemonKey.Fingerprint). It is the key's for ever;
// the daemon's id in a network is its RegistrationID.
type DaemonID string

func (id DaemonID) String() string { return string(id) }

// ParseDaemonKey decodes the wire form: standard base64 with padding of
// exactly 32 bytes.
func ParseDaemonKey(s string) (DaemonKey, error) {
	var k DaemonKey
	if len(s) != base64.StdEncoding.EncodedLen(len(k)) {
		return k, ErrInvalidKey
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, ErrInvalidKey
	}
	copy(k[:], b)
	return k, nil
}

// DaemonKeyOf returns the DaemonKey of an Ed25519 public key.
func DaemonKeyOf(pub ed25519.PublicKey) (DaemonKey, error) {
	var k DaemonKey
	if len(pub) != len(k) {
		return k, ErrInvalidKey
	}
	copy(k[:], pub)
	return k, nil
}

// String is the wire form, standard base64 with padding.
func (k DaemonKey) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// PublicKey returns the key for signature checks.
func (k DaemonKey) PublicKey() ed25519.PublicKey { return ed25519.PublicKey(k[:]) }

// Fingerprint is the hex SHA-256 of the key: the id of its daemon
// aggregate.
func (k DaemonKey) Fingerprint() DaemonID {
	sum := sha256.Sum256(k[:])
	return DaemonID(hex.EncodeToString(sum[:]))
}

// IsZero reports whether k is unset.
func (k DaemonKey) IsZero() bool { return k == DaemonKey{} }

// MarshalText encodes the wire form, so a DaemonKey is a JSON string.
func (k DaemonKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes the wire form.
func (k *DaemonKey) UnmarshalText(b []byte) error {
	parsed, err := ParseDaemonKey(string(b))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}
