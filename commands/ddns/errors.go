package ddns

import (
	"errors"
	"fmt"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/refusal"
)

// Kind and Error are the refusals of package refusal: a refused command
// returns an *Error whose Kind decides the status.
type (
	Kind  = refusal.Kind
	Error = refusal.Error
)

// The kinds of refusal these commands use.
const (
	BadRequest = refusal.BadRequest // 400
	Forbidden  = refusal.Forbidden  // 403
	Conflict   = refusal.Conflict   // 409
)

func refuse(kind Kind, msg string, cause error) *Error { return refusal.New(kind, msg, cause) }

// The messages of refusals, as the API shows them. Where the contract
// quotes one, it is the contract's.
const (
	msgNetworkNotFound = "network not found"
	msgOtherRegion     = "network is not served by this region"
	msgNotBound        = "daemon is not bound to this network"
	msgDeprovisioning  = "network is being deprovisioned"
	msgNotLive         = "network is not live: it is being deprovisioned"
	msgNotAnIP         = "ip must be an IPv4 address (dotted quad) or an IPv6 address"
	msgNotPublic       = "ip must be a public address, not private, loopback, link-local, multicast, documentation, shared (100.64.0.0/10) or reserved"
	msgMapped          = "ip must be reported as an IPv4 address, not IPv4-mapped IPv6"
	msgNoValues        = "values must hold 1 to 4 challenge values"
	msgValueLength     = "each challenge value must be 1 to 255 bytes"
	msgValueCharacters = "challenge values must be printable ASCII without quotes or backslashes"
)

// Errors of the stock-client commands (dyndns2, acme-dns), which the
// gateway turns into each protocol's answers; callers branch on them with
// errors.Is.
var (
	// ErrBadCredentials: no live credential of that kind has this username
	// and secret, or its network is not live (dyndns2 badauth, acme-dns
	// 401 forbidden).
	ErrBadCredentials = errors.New("bad credentials")
	// ErrNotServedHere: the credential's network is of another region.
	ErrNotServedHere = errors.New("network is not served by this region")
	// ErrThrottled is what a *ThrottledError matches.
	ErrThrottled = errors.New("too many requests")
	// ErrNotFQDN: the name is not a fully-qualified domain name under the
	// zone.
	ErrNotFQDN = errors.New("not a fully-qualified name under the zone")
	// ErrNoHost: the name is under the zone but not the credential's
	// network's.
	ErrNoHost = errors.New("not the name of the credential's network")
	// ErrBadAddress: an address is not public, or two are of one family.
	ErrBadAddress = errors.New("not a public address")
	// ErrWrongSubdomain: an acme-dns update names another subdomain than
	// the account's.
	ErrWrongSubdomain = errors.New("not the account's subdomain")
	// ErrBadTXT: an acme-dns value is not 43 characters of base64url.
	ErrBadTXT = errors.New("not an ACME DNS-01 value")
	// ErrAccountLimit: the network has network.MaxCredentials acme-dns
	// accounts already.
	ErrAccountLimit = errors.New("acme-dns account limit reached")
	// ErrUnavailable: the credentials could not be told good or bad in
	// time (the update credentials projection did not reach the log); the
	// client is to try again (dyndns2 911, acme-dns 500 db_error).
	ErrUnavailable = errors.New("credentials cannot be checked now")
)

// ThrottledError is a stock-client request over a rate limit.
type ThrottledError struct {
	// RetryAfter is when the limit admits the next one.
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v: retry after %s", ErrThrottled, e.RetryAfter)
}

func (e *ThrottledError) Unwrap() error { return ErrThrottled }
