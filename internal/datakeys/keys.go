package datakeys

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Seal encrypts plaintext under the data key keyID, creating the key on
// first use, and returns the sealed string. It fails with ErrShredded if
// the key was destroyed.
func (k *Keyring) Seal(ctx context.Context, keyID string, plaintext []byte) (string, error) {
	if err := checkKeyID(keyID); err != nil {
		return "", err
	}
	key, err := k.keyForSeal(ctx, keyID)
	if err != nil {
		return "", fmt.Errorf("seal with %s: %w", keyID, err)
	}
	payload, err := encrypt(key, plaintext, adSeal+keyID)
	if err != nil {
		return "", fmt.Errorf("seal with %s: %w", keyID, err)
	}
	return sealed{keyID: keyID, payload: payload}.String(), nil
}

// Open decrypts a sealed string. It fails with ErrShredded if its key was
// destroyed, ErrUnknownKey if the key does not exist here, ErrMalformed or
// ErrTampered if the string is not one Seal wrote, and ErrMasterKey if the
// key was wrapped under another master key.
func (k *Keyring) Open(ctx context.Context, s string) ([]byte, error) {
	parsed, err := parseSealed(s)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	wrapped, found, err := k.readKey(ctx, parsed.keyID)
	if err != nil {
		return nil, fmt.Errorf("open with %s: %w", parsed.keyID, err)
	}
	if !found {
		return nil, fmt.Errorf("open with %s: %w", parsed.keyID, ErrUnknownKey)
	}
	key, err := k.unwrapCached(parsed.keyID, wrapped)
	if err != nil {
		return nil, fmt.Errorf("open with %s: %w", parsed.keyID, err)
	}
	pt, ok, err := decrypt(key, parsed.payload, adSeal+parsed.keyID)
	if err != nil {
		return nil, fmt.Errorf("open with %s: %w", parsed.keyID, err)
	}
	if !ok {
		return nil, fmt.Errorf("open with %s: %w", parsed.keyID, ErrTampered)
	}
	return pt, nil
}

// Destroy shreds the data key keyID: its wrapped form is emptied and its
// row marked destroyed, in one statement, so every replica refuses it from
// then on. Destroying a destroyed or never-created key succeeds; the
// latter leaves a tombstone so that the id is never given a key later.
func (k *Keyring) Destroy(ctx context.Context, keyID string) error {
	if err := checkKeyID(keyID); err != nil {
		return err
	}
	_, err := k.db.Exec(ctx, `
		INSERT INTO data_keys (id, wrapped, destroyed_at) VALUES ($1, ''::bytea, now())
		ON CONFLICT (id) DO UPDATE
		SET wrapped = ''::bytea, destroyed_at = COALESCE(data_keys.destroyed_at, now())`, keyID)
	k.cache.drop(keyID)
	if err != nil {
		return fmt.Errorf("destroy data key %s: %w", keyID, err)
	}
	return nil
}

// Index returns the hex HMAC-SHA256 of value under the index key: equal
// values give equal indexes under one master key, and the index reveals
// nothing else about the value. Callers normalise value first.
func (k *Keyring) Index(value string) string {
	mac := hmac.New(sha256.New, k.indexKey)
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil))
}

// keyForSeal returns the data key keyID, creating it if there is none.
// Replicas creating it at once race on INSERT … ON CONFLICT DO NOTHING and
// all read back the winner's key.
func (k *Keyring) keyForSeal(ctx context.Context, keyID string) ([]byte, error) {
	wrapped, found, err := k.readKey(ctx, keyID)
	if err != nil {
		return nil, err
	}
	if !found {
		fresh, err := k.newDataKey(keyID)
		if err != nil {
			return nil, err
		}
		if _, err := k.db.Exec(ctx,
			`INSERT INTO data_keys (id, wrapped) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
			keyID, fresh); err != nil {
			return nil, fmt.Errorf("create data key: %w", err)
		}
		if wrapped, found, err = k.readKey(ctx, keyID); err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("create data key: row vanished: %w", ErrUnknownKey)
		}
	}
	return k.unwrapCached(keyID, wrapped)
}

// readKey reads the wrapped key of keyID. A destroyed key is ErrShredded.
func (k *Keyring) readKey(ctx context.Context, keyID string) (wrapped []byte, found bool, err error) {
	var destroyed bool
	err = k.db.QueryRow(ctx,
		`SELECT wrapped, destroyed_at IS NOT NULL FROM data_keys WHERE id = $1`, keyID,
	).Scan(&wrapped, &destroyed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read data key: %w", err)
	}
	if destroyed || len(wrapped) == 0 {
		k.cache.drop(keyID)
		return nil, true, ErrShredded
	}
	return wrapped, true, nil
}

func (k *Keyring) unwrapCached(keyID string, wrapped []byte) ([]byte, error) {
	if key, ok := k.cache.get(keyID, wrapped); ok {
		return key, nil
	}
	key, err := k.unwrap(keyID, wrapped)
	if err != nil {
		return nil, err
	}
	k.cache.put(keyID, wrapped, key)
	return key, nil
}
