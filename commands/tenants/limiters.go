package tenants

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// Limiters are the limits the commands enforce on clients, shared by every
// replica through JetStream.
type Limiters struct {
	// CodeLimit limits public code requests per client IP; LoginLimit
	// password logins per client IP.
	CodeLimit, LoginLimit Limiter
	// CodeFailures limits wrong attempts at codes per client
	// (ratelimit.CodeFailures); CodeBudgets, by purpose, the wrong
	// attempts of the whole cluster (ratelimit.CodeFailureBudget).
	CodeFailures Reserver
	CodeBudgets  map[code.Purpose]Budget
}

// guessedPurposes are the purposes whose codes a public route takes.
var guessedPurposes = []code.Purpose{code.PurposeEnrollment, code.PurposeSignup, code.PurposePasswordReset}

// NewLimiters creates the limits of the contract and of docs/tenants.md
// on js, with streams of replicas replicas; now is the clock of the
// per-client windows.
func NewLimiters(ctx context.Context, js jetstream.JetStream, replicas int, now func() time.Time) (Limiters, error) {
	opts := ratelimit.Options{Clock: now, Replicas: replicas}
	var (
		l   = Limiters{CodeBudgets: make(map[code.Purpose]Budget, len(guessedPurposes))}
		err error
	)
	if l.CodeLimit, err = ratelimit.New(ctx, js, ratelimit.VerificationCodes, opts); err != nil {
		return Limiters{}, err
	}
	if l.LoginLimit, err = ratelimit.New(ctx, js, ratelimit.LoginAttempts, opts); err != nil {
		return Limiters{}, err
	}
	if l.CodeFailures, err = ratelimit.New(ctx, js, ratelimit.CodeFailures, opts); err != nil {
		return Limiters{}, err
	}
	for _, p := range guessedPurposes {
		if l.CodeBudgets[p], err = ratelimit.NewBudget(ctx, js, ratelimit.CodeFailureBudget(string(p)), replicas); err != nil {
			return Limiters{}, err
		}
	}
	return l, nil
}
