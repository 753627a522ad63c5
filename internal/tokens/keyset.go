package tokens

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// JWKSPath is where tenants serves its KeySet.
const JWKSPath = "/.well-known/jwks.json"

// KeySet is an ordered, immutable set of verifying keys, each known by its
// KeyID. The zero value is empty. A KeySet is a KeySource that never
// fetches: use it where the keys are configured (tenants verifies against
// its own Signer's keys).
type KeySet struct {
	keys []setKey
}

type setKey struct {
	id  KeyID
	key ed25519.PublicKey
}

// NewKeySet builds a set from keys in order; a repeated key is kept once.
func NewKeySet(keys ...ed25519.PublicKey) (KeySet, error) {
	var s KeySet
	for i, k := range keys {
		if len(k) != ed25519.PublicKeySize {
			return KeySet{}, fmt.Errorf("key set: key %d has %d bytes, want %d", i, len(k), ed25519.PublicKeySize)
		}
		s = s.with(k)
	}
	return s, nil
}

// with returns s plus k (unless s already holds it). s is not changed.
func (s KeySet) with(k ed25519.PublicKey) KeySet {
	id := Thumbprint(k)
	if _, ok := s.Lookup(id); ok {
		return s
	}
	keys := make([]setKey, len(s.keys), len(s.keys)+1)
	copy(keys, s.keys)
	return KeySet{keys: append(keys, setKey{id: id, key: append(ed25519.PublicKey(nil), k...)})}
}

// Len is the number of keys.
func (s KeySet) Len() int { return len(s.keys) }

// IDs lists the keys' ids in order.
func (s KeySet) IDs() []KeyID {
	ids := make([]KeyID, len(s.keys))
	for i, k := range s.keys {
		ids[i] = k.id
	}
	return ids
}

// Lookup finds the key with id kid.
func (s KeySet) Lookup(kid KeyID) (ed25519.PublicKey, bool) {
	for _, k := range s.keys { // a handful of keys at most
		if k.id == kid {
			return k.key, true
		}
	}
	return nil, false
}

// Key implements KeySource.
func (s KeySet) Key(_ context.Context, kid KeyID) (ed25519.PublicKey, error) {
	if k, ok := s.Lookup(kid); ok {
		return k, nil
	}
	return nil, ErrUnknownKey
}

// jwk is one member of a JWKS, in the order of the document we serve.
// D is only read, to refuse a document that leaks a private key.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid KeyID  `json:"kid"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	D   string `json:"d,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// MarshalJWKS renders the set as the JWKS document served at JWKSPath:
// {"keys":[{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"use":"sig","alg":"EdDSA"}, …]}.
func (s KeySet) MarshalJWKS() ([]byte, error) {
	doc := jwks{Keys: make([]jwk, 0, len(s.keys))}
	for _, k := range s.keys {
		doc.Keys = append(doc.Keys, jwk{
			Kty: "OKP", Crv: "Ed25519",
			X:   base64.RawURLEncoding.EncodeToString(k.key),
			Kid: k.id, Use: "sig", Alg: "EdDSA",
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("marshal jwks: %w", err)
	}
	return b, nil
}

// ErrNoKeys means a JWKS holds no Ed25519 signing key. A verifier keeps
// its previous keys rather than adopt an empty set.
var ErrNoKeys = errors.New("jwks: no Ed25519 signing key")

// ParseJWKS reads a JWKS document. Members of other key types or uses are
// skipped (RFC 7517 §5); an Ed25519 member must be well formed, carry its
// RFC 7638 thumbprint as kid and no private part, or the whole document is
// refused: it comes from our own tenants, so anything odd is a fault, not
// something to work around.
func ParseJWKS(data []byte) (KeySet, error) {
	var doc jwks
	if err := json.Unmarshal(data, &doc); err != nil {
		return KeySet{}, fmt.Errorf("jwks: %w", err)
	}
	var s KeySet
	for i, m := range doc.Keys {
		if m.Kty != "OKP" || m.Crv != "Ed25519" ||
			(m.Use != "" && m.Use != "sig") || (m.Alg != "" && m.Alg != "EdDSA") {
			continue
		}
		if m.D != "" {
			return KeySet{}, fmt.Errorf("jwks: key %d carries a private key", i)
		}
		if strings.ContainsAny(m.X, "\r\n") {
			return KeySet{}, fmt.Errorf("jwks: key %d: line break in x", i)
		}
		x, err := base64.RawURLEncoding.Strict().DecodeString(m.X)
		if err != nil {
			return KeySet{}, fmt.Errorf("jwks: key %d: x: %w", i, err)
		}
		if len(x) != ed25519.PublicKeySize {
			return KeySet{}, fmt.Errorf("jwks: key %d: x has %d bytes, want %d", i, len(x), ed25519.PublicKeySize)
		}
		if want := Thumbprint(x); m.Kid != want {
			return KeySet{}, fmt.Errorf("jwks: key %d: kid %q is not the key's thumbprint %q", i, m.Kid, want)
		}
		s = s.with(x)
	}
	if s.Len() == 0 {
		return KeySet{}, ErrNoKeys
	}
	return s, nil
}

// JWKSHandler serves the set's JWKS document (for GET JWKSPath).
func JWKSHandler(s KeySet) (http.Handler, error) {
	doc, err := s.MarshalJWKS()
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = w.Write([]byte(`{"error":"method not allowed"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		// Verifiers refetch on an unknown kid; a cache in between must
		// not hand them the document from before a rotation.
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(doc)
	}), nil
}
