package datakeys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

// dataKeyLen is the size of a data key (AES-256).
const dataKeyLen = 32

// Additional-data prefixes: one for wrapped keys, one for sealed data, so
// that neither can be passed off as the other.
const (
	adWrap = "wardnet datakeys v1 wrap\x00"
	adSeal = "wardnet datakeys v1 seal\x00"
)

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// encrypt returns nonce || AES-256-GCM(key, plaintext, ad).
func encrypt(key, plaintext []byte, ad string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, nonceLen, nonceLen+len(plaintext)+tagLen)
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return gcm.Seal(out, out, plaintext, []byte(ad)), nil
}

// decrypt opens nonce || ciphertext; ok is false when it does not
// authenticate.
func decrypt(key, payload []byte, ad string) (plaintext []byte, ok bool, err error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, false, err
	}
	if len(payload) < nonceLen+tagLen {
		return nil, false, nil
	}
	pt, err := gcm.Open(nil, payload[:nonceLen], payload[nonceLen:], []byte(ad))
	if err != nil {
		return nil, false, nil
	}
	return pt, true, nil
}

// newDataKey returns a fresh data key wrapped by the KEK for keyID.
func (k *Keyring) newDataKey(keyID string) (wrapped []byte, err error) {
	key := make([]byte, dataKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	defer clear(key)
	return encrypt(k.kek, key, adWrap+keyID)
}

// unwrap returns the data key of keyID from its wrapped form.
func (k *Keyring) unwrap(keyID string, wrapped []byte) ([]byte, error) {
	key, ok, err := decrypt(k.kek, wrapped, adWrap+keyID)
	if err != nil {
		return nil, err
	}
	if !ok || len(key) != dataKeyLen {
		return nil, fmt.Errorf("%w: key %s", ErrMasterKey, keyID)
	}
	return key, nil
}
