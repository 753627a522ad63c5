package datakeys

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// MinMasterKeyLen is the shortest master key a Keyring accepts.
const MinMasterKeyLen = 32

// maxMasterKeyFile bounds what LoadMasterKey reads.
const maxMasterKeyFile = 4096

// HKDF info strings; changing one changes every derived key.
const (
	infoKEK   = "wardnet datakeys v1: key-encryption key"
	infoIndex = "wardnet datakeys v1: index key"
)

// Errors callers branch on.
var (
	// ErrShredded: the data key was destroyed; what it sealed is gone.
	ErrShredded = errors.New("datakeys: data key destroyed")
	// ErrUnknownKey: no data key with that id exists in this database.
	ErrUnknownKey = errors.New("datakeys: unknown data key")
	// ErrMalformed: the string is not a sealed string of this package.
	ErrMalformed = errors.New("datakeys: malformed sealed string")
	// ErrTampered: the sealed string does not authenticate under its key.
	ErrTampered = errors.New("datakeys: sealed string fails authentication")
	// ErrMasterKey: a stored data key does not unwrap with this master key
	// (another master key, or a corrupted row).
	ErrMasterKey = errors.New("datakeys: data key does not unwrap with this master key")
	// ErrInvalidKeyID: a key id is empty, too long or not printable UTF-8.
	ErrInvalidKeyID = errors.New("datakeys: invalid key id")
)

// Options configure a Keyring. Zero fields take the defaults.
type Options struct {
	// Clock reads the current time for the janitor; default time.Now.
	Clock func() time.Time
	// CacheSize bounds the number of unwrapped keys kept in memory;
	// default 1024, negative disables the cache.
	CacheSize int
	// Logger receives the janitor's reports; default slog.Default().
	Logger *slog.Logger
}

// Keyring seals and opens data under data keys stored in Postgres. It is
// safe for concurrent use; Keyrings of any number of replicas may share one
// database as long as they load the same master key.
type Keyring struct {
	db       *pgxpool.Pool
	kek      []byte
	indexKey []byte
	now      func() time.Time
	log      *slog.Logger
	cache    *cache
}

// New returns a Keyring over db (migration 00003 applied) with the given
// master key, which must be at least MinMasterKeyLen bytes of secret
// material. The Keyring keeps no reference to master.
func New(db *pgxpool.Pool, master []byte, opts Options) (*Keyring, error) {
	if len(master) < MinMasterKeyLen {
		return nil, fmt.Errorf("datakeys: master key is %d bytes, need at least %d", len(master), MinMasterKeyLen)
	}
	kek, err := hkdf.Key(sha256.New, master, nil, infoKEK, 32)
	if err != nil {
		return nil, fmt.Errorf("datakeys: derive KEK: %w", err)
	}
	indexKey, err := hkdf.Key(sha256.New, master, nil, infoIndex, 32)
	if err != nil {
		return nil, fmt.Errorf("datakeys: derive index key: %w", err)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = 1024
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Keyring{
		db:       db,
		kek:      kek,
		indexKey: indexKey,
		now:      opts.Clock,
		log:      opts.Logger,
		cache:    newCache(opts.CacheSize),
	}, nil
}

// NewFromFile is New with the master key read by LoadMasterKey.
func NewFromFile(db *pgxpool.Pool, path string, opts Options) (*Keyring, error) {
	master, err := LoadMasterKey(path)
	if err != nil {
		return nil, err
	}
	defer clear(master)
	return New(db, master, opts)
}

// LoadMasterKey reads a master key file: a regular file that neither its
// group nor others may access (mode 0600 or 0400), whose content, without
// trailing CR and LF bytes, is at least MinMasterKeyLen bytes. The content
// is used as it is (raw bytes, or text such as base64 of random bytes).
func LoadMasterKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datakeys: master key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("datakeys: master key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("datakeys: master key %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("datakeys: master key %s has mode %04o; group and others must have no access (chmod 600)", path, perm)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxMasterKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("datakeys: master key %s: %w", path, err)
	}
	if len(b) > maxMasterKeyFile {
		return nil, fmt.Errorf("datakeys: master key %s is longer than %d bytes", path, maxMasterKeyFile)
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) < MinMasterKeyLen {
		return nil, fmt.Errorf("datakeys: master key %s is %d bytes, need at least %d", path, len(b), MinMasterKeyLen)
	}
	return b, nil
}
