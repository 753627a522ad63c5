package passwords

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The parameters of new hashes (the Rust argon2 crate's defaults, which
// the reference uses).
const (
	Memory  = 19456 // KiB
	Time    = 2
	Threads = 1
	SaltLen = 16 // bytes
	KeyLen  = 32 // bytes
)

// Password length bounds, in bytes.
const (
	MinLen = 8
	MaxLen = 1024
)

// Errors of Check and Hash.
var (
	ErrTooShort = errors.New("password must be at least 8 bytes")
	ErrTooLong  = errors.New("password must be at most 1024 bytes")
)

// ErrMalformed is wrapped by every reason Verify refuses a stored hash.
var ErrMalformed = errors.New("malformed password hash")

// Check reports whether password is acceptable for a new hash: between
// MinLen and MaxLen bytes. The errors' texts are fit for a 400 answer.
func Check(password string) error {
	switch {
	case len(password) < MinLen:
		return ErrTooShort
	case len(password) > MaxLen:
		return ErrTooLong
	}
	return nil
}

// Hash checks password and returns its argon2id PHC string, with a new
// random salt and the current parameters, computed in one of h's slots
// (ErrBusy when none frees up in time).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := Check(password); err != nil {
		return "", err
	}
	salt := make([]byte, SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	var phc string
	err := h.compute(ctx, func() { phc = hashWithSalt(password, salt) })
	return phc, err
}

func hashWithSalt(password string, salt []byte) string {
	p := phc{memory: Memory, time: Time, threads: Threads, salt: salt}
	p.hash = argon2.IDKey([]byte(password), salt, Time, Memory, Threads, KeyLen)
	return p.String()
}

// Verify reports whether password matches the hash stored, in constant
// time with respect to the hash. An argon2id PHC string is computed with
// its own parameters in one of h's slots (ErrBusy when none frees up in
// time); a HashSecret string needs no slot. A string that is malformed or
// out of bounds is an error wrapping ErrMalformed, never a match.
func (h *Hasher) Verify(ctx context.Context, stored, password string) (bool, error) {
	if strings.HasPrefix(stored, secretPrefix) {
		return verifySecret(stored, password)
	}
	p, err := parsePHC(stored)
	if err != nil {
		return false, err
	}
	var match bool
	err = h.compute(ctx, func() { match = p.matches(password) })
	return match, err
}

func (p phc) matches(password string) bool {
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.hash)))
	return subtle.ConstantTimeCompare(key, p.hash) == 1
}

// dummy is a PHC string with the current parameters whose password nobody
// knows: its salt and hash are arbitrary bytes, not the output of a hash.
var dummy = mustParse("$argon2id$v=19$m=19456,t=2,p=1$6Fp0u1XQ2kcYwJ3z9mHn0A$ZTBq8lMsxp3UhZ6V5B2rXyR1v3DmQ4gkK9sW0oTcJfE")

func mustParse(s string) phc {
	p, err := parsePHC(s)
	if err != nil {
		panic(err)
	}
	return p
}

// VerifyDummy does the work of a Verify against a hash with the current
// parameters and no known password, in one of h's slots. Call it when a
// login names an unknown email, so that the answer takes as long as for a
// known one. Its error is ErrBusy or the context's.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	return h.compute(ctx, func() { _ = dummy.matches(password) })
}

// NeedsRehash reports whether stored was made with other parameters than
// the current ones (or is malformed), so that a successful login should
// store a new Hash of the password.
func NeedsRehash(stored string) bool {
	p, err := parsePHC(stored)
	return err != nil || p.memory != Memory || p.time != Time || p.threads != Threads ||
		len(p.salt) != SaltLen || len(p.hash) != KeyLen
}
