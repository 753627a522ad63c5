package tenants

import (
	"errors"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// The messages of refusals, as the API shows them. Where the contract
// quotes one, it is the contract's.
const (
	msgInvalidCode     = "invalid or expired code"
	msgInvalidKey      = "invalid public key"
	msgInvalidEmail    = "invalid email"
	msgTenantNotFound  = "tenant not found"
	msgTenantClosed    = "tenant is deregistered"
	msgNoSubscription  = "tenant has no active subscription"
	msgSlugTaken       = "slug is already taken"
	msgNetworkLimit    = "network limit reached"
	msgDaemonLimit     = "daemon limit reached"
	msgDaemonTaken     = "daemon is already registered to a network"
	msgNotEnrolled     = "daemon key is neither registered nor enrolled"
	msgNetworkNotFound = "network not found"
	msgBadCredentials  = "invalid email or password"
	msgTooManyLogins   = "too many login attempts; try again later"
	msgTooManyCodes    = "too many verification codes requested; try again later"
	msgPasswordExists  = "an account with a password already exists for this email"
	msgSessionInvalid  = "session expired or revoked"
	msgAccountClosed   = "account is closed"
	msgBusy            = "too many password checks in progress; try again shortly"

	msgNetworkLeaving     = "network is being deprovisioned"
	msgCredentialLimit    = "update credential limit reached"
	msgCredentialNotFound = "credential not found"
)

// busyRetry is the Retry-After of a refusal for want of a password-hash
// slot: a slot frees up within tens of milliseconds.
const busyRetry = time.Second

// asRefusal turns a domain error decided by an aggregate into the refusal
// the caller sees, and leaves other errors alone.
func asRefusal(err error) error {
	var kind Kind
	var msg string
	switch {
	case err == nil:
		return nil
	case KindOf(err) != 0:
		return err
	case errors.Is(err, code.ErrInvalidCode):
		kind, msg = Unauthorized, msgInvalidCode
	case errors.Is(err, tenant.ErrNotFound):
		kind, msg = NotFound, msgTenantNotFound
	case errors.Is(err, tenant.ErrClosed):
		kind, msg = Forbidden, msgTenantClosed
	case errors.Is(err, tenant.ErrNetworkLimit):
		kind, msg = Conflict, msgNetworkLimit
	case errors.Is(err, tenant.ErrDaemonLimit):
		kind, msg = Conflict, msgDaemonLimit
	case errors.Is(err, reservation.ErrTaken):
		kind, msg = Conflict, msgSlugTaken
	case errors.Is(err, daemon.ErrAlreadyRegistered):
		kind, msg = Conflict, msgDaemonTaken
	case errors.Is(err, daemon.ErrOtherTenant), errors.Is(err, daemon.ErrNotEnrolled):
		kind, msg = Forbidden, msgNotEnrolled
	case errors.Is(err, network.ErrExists):
		kind, msg = Conflict, "network already exists"
	case errors.Is(err, account.ErrPasswordExists):
		kind, msg = Conflict, msgPasswordExists
	case errors.Is(err, passwords.ErrBusy):
		return &Error{Kind: Unavailable, Message: msgBusy, RetryAfter: busyRetry, Err: err}
	default:
		return err
	}
	return refuse(kind, msg, err)
}
