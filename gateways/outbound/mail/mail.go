package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"unicode/utf8"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
)

// Purpose is what a code is for; it selects the mail's subject and text.
type Purpose string

// The purposes of the contract.
const (
	PurposeSignup         Purpose = "signup"
	PurposePasswordReset  Purpose = "password_reset"
	PurposePasswordChange Purpose = "password_change"
	PurposeEnrollment     Purpose = "enrollment"
)

// Subject is the mail subject for p (contract §3.5), or "" for an unknown
// purpose.
func (p Purpose) Subject() string {
	switch p {
	case PurposeSignup:
		return "Your Wardnet sign-up code"
	case PurposePasswordReset:
		return "Your Wardnet password-reset code"
	case PurposePasswordChange:
		return "Confirm your Wardnet password change"
	case PurposeEnrollment:
		return "Your Wardnet enrollment code"
	}
	return ""
}

// Valid reports whether p is one of the contract's purposes.
func (p Purpose) Valid() bool { return p.Subject() != "" }

// Code is a one-time code to deliver.
type Code struct {
	To      string // a bare address, e.g. "alice@example.com"
	Code    string
	Purpose Purpose
}

// maxCodeLen bounds a code; the contract's are 6 characters.
const maxCodeLen = 64

// ErrInvalid is matched by the error Send returns for a Code it refuses
// before sending anything.
var ErrInvalid = errors.New("mail: invalid code message")

// Validate checks that c can be sent: a bare address, a code of printable
// ASCII without spaces, and a known purpose. Errors do not contain the code.
func (c Code) Validate() error {
	if !c.Purpose.Valid() {
		return fmt.Errorf("%w: unknown purpose %q", ErrInvalid, c.Purpose)
	}
	if c.Code == "" || len(c.Code) > maxCodeLen {
		return fmt.Errorf("%w: code of %d bytes", ErrInvalid, len(c.Code))
	}
	for i := range len(c.Code) {
		if c.Code[i] <= ' ' || c.Code[i] > '~' {
			return fmt.Errorf("%w: code has a character outside printable ASCII", ErrInvalid)
		}
	}
	addr, err := netmail.ParseAddress(c.To)
	if err != nil || addr.Address != c.To || addr.Name != "" || strings.ContainsAny(c.To, "\r\n") {
		return fmt.Errorf("%w: recipient %s is not a bare address", ErrInvalid, Mask(c.To))
	}
	return nil
}

// Sender delivers codes.
type Sender interface {
	// Send delivers msg, or returns why it could not.
	Send(ctx context.Context, msg Code) error
	// SendCode is Send in the domain's terms: code c, issued for purpose,
	// to the address to. It is how the tenants application asks for a
	// code's mail (its Mailer port, commands/tenants.Mailer), so that a
	// Sender is a Mailer without either package importing the other.
	SendCode(ctx context.Context, to personal.Email, c code.Code, purpose code.Purpose) error
	// Echoes reports whether codes are not really delivered, so that the
	// API must return the code in its answer (development only).
	Echoes() bool
}

// codeMessage is the Code that delivers the domain's code c, issued for
// purpose, to the address to. The domain's purposes are spelt as this
// package's.
func codeMessage(to personal.Email, c code.Code, purpose code.Purpose) Code {
	return Code{To: string(to), Code: string(c), Purpose: Purpose(purpose)}
}

// Mask hides most of an address for logs: "alice@example.com" becomes
// "a***@example.com". Something that is not an address becomes "***".
func Mask(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(addr)
	return string(r) + "***@" + addr[at+1:]
}

// New returns the Resend sender when opts.APIKey is set, and otherwise the
// development sender logging to opts.Logger (contract: no RESEND_API_KEY
// means a sender that logs the code and an API that echoes it).
func New(opts ResendOptions) (Sender, error) {
	if opts.APIKey == "" {
		return NewDev(opts.Logger), nil
	}
	return NewResend(opts)
}

// Interface guards.
var (
	_ Sender = (*Dev)(nil)
	_ Sender = (*Resend)(nil)
)

// Dev is the development Sender: it sends nothing and logs the code.
type Dev struct {
	log *slog.Logger
}

// NewDev returns a Dev logging to log (slog.Default() if nil).
func NewDev(log *slog.Logger) *Dev {
	if log == nil {
		log = slog.Default()
	}
	return &Dev{log: log}
}

// Send logs "code issued" with the purpose, the code and the masked
// address. Logging the code is the point of this sender; it must never be
// used where real people receive codes.
func (d *Dev) Send(ctx context.Context, msg Code) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	d.log.InfoContext(ctx, "code issued",
		"purpose", string(msg.Purpose),
		"to", Mask(msg.To),
		"code", msg.Code,
		"sender", "development (no mail sent)")
	return nil
}

// SendCode sends the Code of the domain's code c (Sender).
func (d *Dev) SendCode(ctx context.Context, to personal.Email, c code.Code, purpose code.Purpose) error {
	return d.Send(ctx, codeMessage(to, c, purpose))
}

// Echoes is true: the caller returns the code in its answer.
func (d *Dev) Echoes() bool { return true }
