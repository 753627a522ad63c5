package tenants

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// IssueCode asks for a one-time code for Purpose, mailed to Email
// (POST /v1/verification-codes). Email and Purpose are as submitted.
type IssueCode struct {
	Email   string
	Purpose string
	// Client is the address the per-client limit counts.
	Client netip.Addr
}

// IssueCode issues a one-time code, rate-limited per client across
// replicas. Codes are issued for any well-formed email, with or without an
// account, so the answer reveals nothing. It returns the code when the
// Mailer echoes codes (development), else "".
func (a *App) IssueCode(ctx context.Context, cmd IssueCode) (code.Code, error) {
	email, err := personal.ParseEmail(cmd.Email)
	if err != nil {
		return "", refuse(BadRequest, msgInvalidEmail, err)
	}
	purpose, err := code.ParsePurpose(cmd.Purpose)
	if err != nil {
		return "", refuse(BadRequest, msgInvalidPurpose, err)
	}
	client := ratelimit.ClientKey(cmd.Client)
	ok, retry, err := a.d.CodeLimit.Allow(ctx, client)
	if err != nil {
		return "", fmt.Errorf("issue code: rate limit: %w", err)
	}
	if !ok {
		return "", &Error{Kind: RateLimited, Message: msgTooManyCodes, RetryAfter: retry}
	}
	return a.deliverCode(ctx, email, purpose, "", events.Meta{Actor: "ip:" + client})
}
