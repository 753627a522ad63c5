package code

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Code is a one-time code as submitted; it is never stored, only its hash.
type Code string

// Alphabet is what codes are drawn from: no I, O, 0 or 1.
const Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// Len is the length of an issued code.
const Len = 6

// MaxLen bounds what is hashed of a code from a request; longer input is
// refused before it is hashed.
const MaxLen = 64

// New draws a random code of Len characters of Alphabet.
func New() Code {
	var b [Len]byte
	// crypto/rand.Read never returns an error: it crashes the program
	// instead.
	rand.Read(b[:])
	for i := range b {
		b[i] = Alphabet[int(b[i])%len(Alphabet)] // 256 is a multiple of 32: no bias
	}
	return Code(b[:])
}

// Hash is the hex SHA-256 of the code exactly as submitted: the id of its
// aggregate.
func (c Code) Hash() string {
	sum := sha256.Sum256([]byte(c))
	return hex.EncodeToString(sum[:])
}

// ErrInvalidPurpose is ParsePurpose's error. The API answers it with 400.
var ErrInvalidPurpose = errors.New("invalid purpose")

// Purpose is what a one-time code may be used for.
type Purpose string

// The purposes of codes (contract §3.5).
const (
	PurposeSignup         Purpose = "signup"
	PurposePasswordReset  Purpose = "password_reset"
	PurposePasswordChange Purpose = "password_change"
	PurposeEnrollment     Purpose = "enrollment"
)

// ParsePurpose accepts one of the four purposes, exactly as spelt.
func ParsePurpose(s string) (Purpose, error) {
	switch p := Purpose(s); p {
	case PurposeSignup, PurposePasswordReset, PurposePasswordChange, PurposeEnrollment:
		return p, nil
	}
	return "", fmt.Errorf("%w: %q", ErrInvalidPurpose, truncate(s))
}

// Web reports whether the purpose belongs to a person's login flows, whose
// codes are never bound to a tenant.
func (p Purpose) Web() bool { return p != PurposeEnrollment }

// truncate bounds what an error quotes of its input.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
