package datakeys

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// sealedVersion is the prefix of sealed strings this package writes.
const sealedVersion = "v1"

// nonceLen and tagLen are AES-GCM's standard sizes.
const (
	nonceLen = 12
	tagLen   = 16
)

// maxSealedLen bounds the sealed strings Open parses.
const maxSealedLen = 1 << 20

var b64 = base64.RawURLEncoding.Strict()

// sealed is a parsed sealed string.
type sealed struct {
	keyID   string
	payload []byte // nonce || ciphertext with tag
}

func (s sealed) String() string {
	return sealedVersion + "." + b64.EncodeToString([]byte(s.keyID)) + "." + b64.EncodeToString(s.payload)
}

// parseSealed parses "v1.<b64(key id)>.<b64(nonce||ct)>". Every string it
// accepts is canonical: formatting the result gives the input back.
func parseSealed(s string) (sealed, error) {
	if len(s) > maxSealedLen {
		return sealed{}, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxSealedLen)
	}
	// The decoder skips CR and LF; accept only the alphabet, so that one
	// value has one sealed form.
	for i := range len(s) {
		if !isSealedByte(s[i]) {
			return sealed{}, fmt.Errorf("%w: byte %#x at %d", ErrMalformed, s[i], i)
		}
	}
	version, rest, ok := strings.Cut(s, ".")
	if !ok || version != sealedVersion {
		return sealed{}, fmt.Errorf("%w: unknown version", ErrMalformed)
	}
	encID, encPayload, ok := strings.Cut(rest, ".")
	if !ok {
		return sealed{}, fmt.Errorf("%w: missing payload", ErrMalformed)
	}
	id, err := b64.DecodeString(encID)
	if err != nil {
		return sealed{}, fmt.Errorf("%w: key id: %v", ErrMalformed, err)
	}
	if err := checkKeyID(string(id)); err != nil {
		return sealed{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	payload, err := b64.DecodeString(encPayload)
	if err != nil {
		return sealed{}, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	if len(payload) < nonceLen+tagLen {
		return sealed{}, fmt.Errorf("%w: payload of %d bytes", ErrMalformed, len(payload))
	}
	return sealed{keyID: string(id), payload: payload}, nil
}

// isSealedByte reports whether c may appear in a sealed string: the
// base64url alphabet and the '.' separator.
func isSealedByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}
