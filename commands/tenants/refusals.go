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
	"github.com/wardnet/wardnet-cloud/internal/refusal"
)

// Kind and Error are the refusals of package refusal: a refused command
// returns an *Error whose Kind decides the status.
type (
	Kind  = refusal.Kind
	Error = refusal.Error
)

// The kinds of refusal, with the status the contract gives each.
const (
	BadRequest   = refusal.BadRequest   // 400
	Unauthorized = refusal.Unauthorized // 401
	Forbidden    = refusal.Forbidden    // 403
	NotFound     = refusal.NotFound     // 404
	Conflict     = refusal.Conflict     // 409
	RateLimited  = refusal.RateLimited  // 429
	Unavailable  = refusal.Unavailable  // 503
)

func refuse(kind Kind, msg string, cause error) *Error { return refusal.New(kind, msg, cause) }

// KindOf returns the kind of err, or 0 when err is not a refusal (an
// internal failure).
func KindOf(err error) Kind { return refusal.KindOf(err) }

// The messages of refusals, as the API shows them. Where the contract
// quotes one, it is the contract's.
const (
	msgInvalidCode       = "invalid or expired code"
	msgInvalidKey        = "invalid public key"
	msgInvalidEmail      = "invalid email"
	msgInvalidPurpose    = "purpose must be signup, password_reset, password_change or enrollment"
	msgTenantNotFound    = "tenant not found"
	msgTenantClosed      = "tenant is deregistered"
	msgNoSubscription    = "tenant has no active subscription"
	msgSlugTaken         = "slug is already taken"
	msgNetworkLimit      = "network limit reached"
	msgDaemonLimit       = "daemon limit reached"
	msgDaemonTaken       = "daemon is already registered to a network"
	msgNotEnrolled       = "daemon key is neither registered nor enrolled"
	msgNetworkNotFound   = "network not found"
	msgNetworkExists     = "network already exists"
	msgNeedNetwork       = "a network-scoped token for this network is required"
	msgNotDeprovisioning = "network is not deprovisioning"
	msgBadCredentials    = "invalid email or password"
	msgTooManyLogins     = "too many login attempts; try again later"
	msgTooManyCodes      = "too many verification codes requested; try again later"
	msgTooManyWrongCodes = "too many wrong codes; try again later"
	msgCodesUnderAttack  = "too many wrong codes are being tried; try again later"
	msgPasswordExists    = "an account with a password already exists for this email"
	msgSessionInvalid    = "session expired or revoked"
	msgAccountClosed     = "account is closed"
	msgBusy              = "too many password checks in progress; try again shortly"

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
		kind, msg = Conflict, msgNetworkExists
	case errors.Is(err, account.ErrPasswordExists):
		kind, msg = Conflict, msgPasswordExists
	case errors.Is(err, passwords.ErrBusy):
		return &Error{Kind: Unavailable, Message: msgBusy, RetryAfter: busyRetry, Err: err}
	default:
		return err
	}
	return refuse(kind, msg, err)
}

// credentialRefusal is asRefusal with the network aggregate's credential
// errors, which only the credential commands meet.
func credentialRefusal(err error) error {
	switch {
	case err == nil || KindOf(err) != 0:
		return err
	case errors.Is(err, network.ErrWrongState):
		return refuse(Conflict, msgNetworkLeaving, err)
	case errors.Is(err, network.ErrCredentialLimit):
		return refuse(Conflict, msgCredentialLimit, err)
	case errors.Is(err, network.ErrNoCredential):
		return refuse(NotFound, msgCredentialNotFound, err)
	}
	return asRefusal(err)
}
