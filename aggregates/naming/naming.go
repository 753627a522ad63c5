package naming

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Errors of the Parse functions. The API answers each with 400, in the
// contract's words where it has some.
var (
	ErrInvalidID      = errors.New("invalid id")
	ErrInvalidSlug    = errors.New("invalid slug")
	ErrReservedSlug   = errors.New("reserved slug")
	ErrInvalidEmail   = errors.New("invalid email")
	ErrInvalidKey     = errors.New("invalid public key")
	ErrUnknownRegion  = errors.New("unknown region")
	ErrInvalidPurpose = errors.New("invalid purpose")
)

// ID is a UUID v4 in its lower-case canonical form: the id of a tenant, a
// network, a daemon or a session.
type ID string

// NewID returns a fresh random ID.
func NewID() ID { return ID(uuid.NewString()) }

// ParseID accepts a canonical lower-case UUID.
func ParseID(s string) (ID, error) {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || u.String() != s {
		return "", fmt.Errorf("%w: %q", ErrInvalidID, truncate(s))
	}
	return ID(s), nil
}

func (id ID) String() string { return string(id) }

// Slug is a network's globally unique name, the left-most label of its
// host name (contract §2.3).
type Slug string

// Reserved is the contract's list of names no network may take.
var Reserved = []string{
	"www", "mail", "api", "ddns", "my", "admin", "bridge", "static", "wildcard",
	"wardnet", "support", "help", "ns", "ns1", "ns2", "ftp", "smtp", "imap",
	"pop3", "us", "eu",
}

// ParseSlug accepts 3–32 bytes of [a-z0-9-] with no leading or trailing
// hyphen that are not reserved. Upper case is refused, not folded.
func ParseSlug(s string) (Slug, error) {
	if !wellFormedSlug(s) {
		return "", fmt.Errorf("%w: %q", ErrInvalidSlug, truncate(s))
	}
	if slices.Contains(Reserved, s) {
		return "", fmt.Errorf("%w: %q", ErrReservedSlug, s)
	}
	return Slug(s), nil
}

func wellFormedSlug(s string) bool {
	if len(s) < 3 || len(s) > 32 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func (s Slug) String() string { return string(s) }

// Email is a normalised email address: trimmed and lower-cased. It is
// personal data: it enters the log only sealed, and subjects carry its
// EmailIndex.
type Email string

// MaxEmailLen bounds an email address (RFC 5321's path limit, generously).
const MaxEmailLen = 320

// ParseEmail trims and lower-cases s and accepts it only as an address
// that can go into a mail header as it is, so that the API refuses with
// 400 what the mail layer would refuse later (gateways/outbound/mail checks the
// recipient with net/mail, stricter than the contract's minimal rule of
// 3 bytes and an "@"). The result must be 3–320 bytes of valid UTF-8 and:
//
//   - hold no control character (ASCII's, NUL, TAB, CR, LF and DEL among
//     them, or Unicode's C1), no space of any kind (ASCII or Unicode) and
//     no bidirectional control, which could hide or reorder what a person
//     reads;
//   - hold none of < > " ( ) , ; : \ [ ], which in a mail header start a
//     display name, a comment, a quoted local part, a list or a domain
//     literal;
//   - have exactly one "@", with a local part and a domain that are each
//     non-empty dot-separated labels: no leading, trailing or double dot
//     (RFC 5322's dot-atom, as net/mail requires).
//
// Internationalised addresses (RFC 6531: UTF-8 in the local part or the
// domain) are accepted, lower-cased like the rest; a domain need not have a
// dot. Invalid UTF-8 is refused before lower-casing, which would otherwise
// turn it into U+FFFD. Every refusal is ErrInvalidEmail, without the input.
func ParseEmail(s string) (Email, error) {
	t := strings.TrimSpace(s)
	if !utf8.ValidString(t) {
		return "", ErrInvalidEmail
	}
	e := strings.ToLower(t)
	if len(e) < 3 || len(e) > MaxEmailLen || !wellFormedEmail(e) {
		return "", ErrInvalidEmail
	}
	return Email(e), nil
}

// wellFormedEmail applies ParseEmail's rules to e, valid UTF-8.
func wellFormedEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || strings.ContainsRune(domain, '@') || strings.ContainsFunc(e, refusedInEmail) {
		return false
	}
	return dotLabels(local) && dotLabels(domain)
}

// dotLabels reports whether s is one or more non-empty labels joined by
// dots.
func dotLabels(s string) bool {
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return false
		}
	}
	return true
}

// emailSpecials are RFC 5322's specials other than "@" and ".", which
// ParseEmail checks by position.
const emailSpecials = `<>"(),;:\[]`

// refusedInEmail reports whether r may not appear in an email anywhere.
func refusedInEmail(r rune) bool {
	return unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Bidi_Control, r) ||
		strings.ContainsRune(emailSpecials, r)
}

func (e Email) String() string { return string(e) }

// EmailIndex is the keyed hash of a normalised email (hex), the id of its
// reservation. It identifies an email without revealing it.
type EmailIndex string

// DaemonKey is a daemon's Ed25519 public key.
type DaemonKey [ed25519.PublicKeySize]byte

// ParseDaemonKey decodes the wire form: standard base64 with padding of
// exactly 32 bytes.
func ParseDaemonKey(s string) (DaemonKey, error) {
	var k DaemonKey
	if len(s) != base64.StdEncoding.EncodedLen(len(k)) {
		return k, ErrInvalidKey
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, ErrInvalidKey
	}
	copy(k[:], b)
	return k, nil
}

// DaemonKeyOf returns the DaemonKey of an Ed25519 public key.
func DaemonKeyOf(pub ed25519.PublicKey) (DaemonKey, error) {
	var k DaemonKey
	if len(pub) != len(k) {
		return k, ErrInvalidKey
	}
	copy(k[:], pub)
	return k, nil
}

// String is the wire form, standard base64 with padding.
func (k DaemonKey) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// PublicKey returns the key for signature checks.
func (k DaemonKey) PublicKey() ed25519.PublicKey { return ed25519.PublicKey(k[:]) }

// Fingerprint is the hex SHA-256 of the key: the id of its daemon aggregate.
func (k DaemonKey) Fingerprint() string {
	sum := sha256.Sum256(k[:])
	return hex.EncodeToString(sum[:])
}

// IsZero reports whether k is unset.
func (k DaemonKey) IsZero() bool { return k == DaemonKey{} }

// MarshalText encodes the wire form, so a DaemonKey is a JSON string.
func (k DaemonKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes the wire form.
func (k *DaemonKey) UnmarshalText(b []byte) error {
	parsed, err := ParseDaemonKey(string(b))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// Region is a region the service knows, where a network's DNS and tunnels
// live.
type Region string

// Regions is the set of known regions.
type Regions []Region

// ParseRegions reads a comma-separated list, trimming each entry.
func ParseRegions(s string) (Regions, error) {
	var rs Regions
	for part := range strings.SplitSeq(s, ",") {
		p := strings.TrimSpace(part)
		if p == "" {
			continue
		}
		if !wellFormedRegion(p) {
			return nil, fmt.Errorf("%w: %q is not a region name ([a-z0-9-], 1–32 bytes)", ErrUnknownRegion, truncate(p))
		}
		rs = append(rs, Region(p))
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: no region configured", ErrUnknownRegion)
	}
	return rs, nil
}

func wellFormedRegion(s string) bool {
	if len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Parse accepts one of the known regions, after trimming.
func (rs Regions) Parse(s string) (Region, error) {
	r := Region(strings.TrimSpace(s))
	if !slices.Contains(rs, r) {
		return "", fmt.Errorf("%w: %q", ErrUnknownRegion, truncate(s))
	}
	return r, nil
}

// Purpose is what a one-time code may be used for.
type Purpose string

// The purposes of codes (contract §3.5).
const (
	PurposeSignup         Purpose = "signup"
	PurposePasswordReset  Purpose = "password_reset"
	PurposePasswordChange Purpose = "password_change"
	PurposeEnrollment     Purpose = "enrollment"
)

// ParsePurpose accepts one of the four purposes.
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

// Code is a one-time code as submitted; it is never stored, only its hash.
type Code string

// CodeAlphabet has no I, O, 0 or 1.
const CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// CodeLen is the length of an issued code.
const CodeLen = 6

// NewCode draws a random code.
func NewCode() Code {
	var b [CodeLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Errorf("naming: crypto/rand: %w", err)) // never fails on supported platforms
	}
	for i := range b {
		b[i] = CodeAlphabet[int(b[i])%len(CodeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return Code(b[:])
}

// MaxCodeLen bounds what is hashed from a request.
const MaxCodeLen = 64

// Hash is the hex SHA-256 of the code exactly as submitted: the id of its
// aggregate.
func (c Code) Hash() string {
	sum := sha256.Sum256([]byte(c))
	return hex.EncodeToString(sum[:])
}

// Sealed is personal data encrypted under a data key (package
// internal/datakeys): opaque here, and unreadable once the key is destroyed.
type Sealed string

// Entitlement is what a subscription allows a tenant to hold.
type Entitlement struct {
	MaxNetworks int `json:"max_networks"`
	MaxDaemons  int `json:"max_daemons"`
}

// TrialEntitlement is the trial's: one network, one daemon.
var TrialEntitlement = Entitlement{MaxNetworks: 1, MaxDaemons: 1}

func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
