package tenants

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// UseDevKeys points cfg at the service's key files in dir (the JWT signing
// key, the cookie key and the master data key), making any that are
// missing, readable by their owner only. It is for development and tests:
// wardnet-dev keeps them under its data dir so that tokens, sessions and
// sealed data survive a restart. Production mounts keys made and kept
// elsewhere.
func UseDevKeys(cfg *Config, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("dev keys: %w", err)
	}
	files := []struct {
		path *string
		name string
		make func() ([]byte, error)
	}{
		{&cfg.JWTSigningKeyPath, "jwt-signing-key.pem", func() ([]byte, error) { return tokens.GenerateKeyPEM(rand.Reader) }},
		{&cfg.CookieKeyPath, "cookie.key", randomBytes(64)},
		// Hex, because the master key's loader trims a trailing newline:
		// raw random bytes ending in one would come out short.
		{&cfg.DataKeyPath, "data-master.key", randomHex(32)},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := ensureFile(path, f.make); err != nil {
			return err
		}
		*f.path = path
	}
	return nil
}

func randomBytes(n int) func() ([]byte, error) {
	return func() ([]byte, error) {
		b := make([]byte, n)
		_, err := rand.Read(b)
		return b, err
	}
}

func randomHex(n int) func() ([]byte, error) {
	return func() ([]byte, error) {
		b, err := randomBytes(n)()
		return []byte(hex.EncodeToString(b)), err
	}
}

// ensureFile writes a new key file unless one is there already.
func ensureFile(path string, make func() ([]byte, error)) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dev key %s: %w", path, err)
	}
	b, err := make()
	if err != nil {
		return fmt.Errorf("dev key %s: %w", path, err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("dev key %s: %w", path, err)
	}
	return nil
}
