package sessioncookie

import (
	"fmt"
	"io"
	"os"
)

// maxKeyFileLen bounds a key file; a larger one is the wrong file.
const maxKeyFileLen = 64 << 10

// LoadKey reads the cookie key from path: the file's bytes, exactly, are
// the key (binary or text, a trailing newline included), at least
// MinKeyLen of them. The file must be a regular file that neither its
// group nor others can read (mode 0600 or 0400), as for any secret.
// Errors name the path, never the content.
func LoadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("session cookie key: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("session cookie key %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("session cookie key %s: not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("session cookie key %s: mode %04o gives group or others access; chmod 600 it", path, perm)
	}
	key, err := io.ReadAll(io.LimitReader(f, maxKeyFileLen+1))
	if err != nil {
		return nil, fmt.Errorf("session cookie key %s: %w", path, err)
	}
	switch {
	case len(key) > maxKeyFileLen:
		return nil, fmt.Errorf("session cookie key %s: larger than %d bytes", path, maxKeyFileLen)
	case len(key) < MinKeyLen:
		return nil, fmt.Errorf("session cookie key %s: %d bytes, want at least %d", path, len(key), MinKeyLen)
	}
	return key, nil
}
