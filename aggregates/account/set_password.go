package account

import (
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
)

// Mode says which flow sets a password.
type Mode string

// The modes of SetPassword.
const (
	ModeSignup Mode = "signup" // a new password login; fails if one exists
	ModeReset  Mode = "reset"  // a forgotten password, proven by a code
	ModeChange Mode = "change" // a signed-in user's new password
)

// SetPassword sets or replaces the account's password. The application
// hashes and seals it first, and revokes the sessions (RevokeAll) on reset
// and change.
type SetPassword struct {
	Mode       Mode
	EmailIndex personal.EmailIndex
	Hash       personal.Sealed
}

// Decide returns PasswordSet; a sign-up fails with ErrPasswordExists when
// the account has a password, a reset or change replaces it (or sets the
// first one of an account that had none).
func (c SetPassword) Decide(s State) ([]events.Payload, error) {
	switch {
	case c.Mode != ModeSignup && c.Mode != ModeReset && c.Mode != ModeChange:
		return nil, fmt.Errorf("set password: unknown mode %q", c.Mode)
	case c.EmailIndex == "" || c.Hash == "":
		return nil, errors.New("set password: email index and hash are required")
	case c.Mode == ModeSignup && s.HasPassword():
		return nil, fmt.Errorf("set password: %w", ErrPasswordExists)
	}
	return []events.Payload{PasswordSet{EmailIndex: c.EmailIndex, Hash: c.Hash}}, nil
}
