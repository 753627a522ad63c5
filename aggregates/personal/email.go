package personal

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidEmail is ParseEmail's error for every refusal. The API answers
// it with 400.
var ErrInvalidEmail = errors.New("invalid email")

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
