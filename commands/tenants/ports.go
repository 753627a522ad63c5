package tenants

import (
	"context"
	"time"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// The ports: what the application needs from the outside world, each an
// interface declared here and implemented elsewhere (named in its
// comment). Nothing in this package imports an adapter (gateways/); an
// adapter implements a port with the standard library's and the domain's
// types only, so it need not import this package either.

// Mailer delivers one-time codes by email (gateways/outbound/mail: its
// Resend and Dev senders).
type Mailer interface {
	// SendCode delivers code c, issued for purpose, to the address to, or
	// returns why it could not.
	SendCode(ctx context.Context, to personal.Email, c code.Code, purpose code.Purpose) error
	// Echoes reports whether codes are not really delivered (development),
	// so that the API must return each code in its answer.
	Echoes() bool
}

// Keyring seals personal data under data keys, opens it, destroys keys and
// computes the keyed index of an email (internal/datakeys.Keyring).
type Keyring interface {
	Seal(ctx context.Context, keyID string, plaintext []byte) (string, error)
	Open(ctx context.Context, sealed string) ([]byte, error)
	Destroy(ctx context.Context, keyID string) error
	Index(value string) string
}

// Limiter admits a bounded number of attempts per key and window, across
// every replica (internal/ratelimit.Limiter).
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, time.Duration, error)
}

// Reserver admits attempts per key and window across every replica, and
// takes an attempt back when it should not count (internal/ratelimit.Limiter).
type Reserver interface {
	Reserve(ctx context.Context, key string) (ratelimit.Reservation, bool, time.Duration, error)
}

// Budget counts events of one kind across every replica in a window
// (internal/ratelimit.Budget).
type Budget interface {
	Exhausted(ctx context.Context) (bool, time.Duration, error)
	Spend(ctx context.Context) error
}
