package agent

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// state is what a daemon keeps between runs: its identity and what it is
// bound to. Tokens are not part of it. The seed is the daemon's secret:
// state is never logged (LogValue leaves the seed out all the same).
type state struct {
	Seed      string `json:"seed"`       // standard base64 of the 32-byte Ed25519 seed
	PublicKey string `json:"public_key"` // standard base64 with padding, as on the wire
	TenantID  string `json:"tenant_id"`
	NetworkID string `json:"network_id,omitempty"`
	Slug      string `json:"slug,omitempty"`
	Region    string `json:"region,omitempty"` // the server's answer, not the request's
	Server    string `json:"server"`           // base URL of the tenants service
	// LastIPv4 and LastIPv6 are the addresses last reported to ddns for
	// the network (contract §11, ddns_last_public_ip), so that an
	// unchanged address is not reported again.
	LastIPv4 string `json:"last_ipv4,omitempty"`
	LastIPv6 string `json:"last_ipv6,omitempty"`
}

// LogValue keeps the seed out of any log line.
func (s state) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("tenant", s.TenantID),
		slog.String("network", s.NetworkID),
		slog.String("slug", s.Slug),
		slog.String("server", s.Server),
	)
}

// key decodes and checks the identity: the seed must be 32 bytes and the
// recorded public key must be the seed's.
func (s state) key() (ed25519.PrivateKey, error) {
	seed, err := base64.StdEncoding.Strict().DecodeString(s.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("seed is not 32 bytes of standard base64")
	}
	key := ed25519.NewKeyFromSeed(seed)
	if encodeKey(key.Public().(ed25519.PublicKey)) != s.PublicKey {
		return nil, errors.New("public key does not match the seed")
	}
	if s.TenantID == "" {
		return nil, errors.New("no tenant_id")
	}
	return key, nil
}

func encodeKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// maxStateSize bounds what loadState reads; a real state file is < 1 KiB.
const maxStateSize = 64 << 10

// loadState reads the state file at path. A missing file is no identity
// (ok false, no error). A file that group or others may access is refused:
// it holds the private key.
func loadState(path string) (st state, ok bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return state{}, false, nil
	}
	if err != nil {
		return state{}, false, fmt.Errorf("open state: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return state{}, false, fmt.Errorf("stat state %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return state{}, false, fmt.Errorf("state %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return state{}, false, fmt.Errorf("%w: %s has mode %04o; it holds the daemon's private key: chmod 600 it, and if others may have read it, delete it and enroll again",
			ErrStateExposed, path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStateSize+1))
	if err != nil {
		return state{}, false, fmt.Errorf("read state %s: %w", path, err)
	}
	if len(data) > maxStateSize {
		return state{}, false, fmt.Errorf("state %s is larger than %d bytes", path, maxStateSize)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return state{}, false, fmt.Errorf("decode state %s: %w", path, err)
	}
	return st, true, nil
}

// saveState replaces the state file atomically: a temporary file in the
// same directory, written, synced, renamed over path, and the directory
// synced, so that a crash leaves the old file or the new one, never a mix.
// The file is 0600 and a directory it creates 0700.
func saveState(path string, st state) (err error) {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary state file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes 0600 files already; the mode is the invariant here,
	// so it is set rather than inherited.
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod temporary state file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write temporary state file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync temporary state file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close temporary state file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace state file: %w", err)
	}
	return syncDir(dir)
}

// removeState deletes the state file; a missing one is already removed.
func removeState(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove state: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open state directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync state directory: %w", err)
	}
	return nil
}
