package ids

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrInvalidID is Parse's error for anything but a canonical lower-case
// UUID. The API answers it as the route says (404 for an id in a path).
var ErrInvalidID = errors.New("invalid id")

// TenantID is a tenant's id, which is also the id of its account and its
// subscription.
type TenantID string

// NetworkID is a network's id.
type NetworkID string

// CredentialID is the id of a network's update credential (and of the
// acme-dns account registered with one, whose username it is).
type CredentialID string

// SessionID is the id of a browser session of an account.
type SessionID string

// RegistrationID is a daemon's id in the network it is registered with:
// drawn when the key is registered (daemon_id in the events, the daemon's
// id in the API), it names the daemon in its network's and its tenant's
// sets. A key that leaves and registers again gets a new one; the key's
// own id, which never changes, is its DaemonID.
type RegistrationID string

// ID is any of the UUID identifiers. It is a constraint for New and Parse,
// not a type to hold one: hold the one you mean.
type ID interface {
	TenantID | NetworkID | CredentialID | SessionID | RegistrationID
}

// uuidLen is the length of a UUID in its canonical form.
const uuidLen = 36

// New returns a fresh random UUID v4 (RFC 9562) as a T.
func New[T ID]() T {
	var b [16]byte
	// crypto/rand.Read never returns an error: it crashes the program
	// instead.
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // the RFC's variant
	var s [uuidLen]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:36], b[10:16])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return T(s[:])
}

// Parse accepts a UUID in its canonical lower-case form, 8-4-4-4-12 hex
// digits, of any version: what New returns, and the ids of every kind
// drawn before it. Upper case, braces, a urn:uuid: prefix and the form
// without hyphens are refused, so that one id has one spelling.
func Parse[T ID](s string) (T, error) {
	if !canonical(s) {
		return "", fmt.Errorf("%w: %q", ErrInvalidID, truncate(s))
	}
	return T(s), nil
}

// canonical reports whether s is a UUID in its canonical lower-case form.
func canonical(s string) bool {
	if len(s) != uuidLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

func (id TenantID) String() string       { return string(id) }
func (id NetworkID) String() string      { return string(id) }
func (id CredentialID) String() string   { return string(id) }
func (id SessionID) String() string      { return string(id) }
func (id RegistrationID) String() string { return string(id) }

// truncate bounds what an error quotes of its input.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
