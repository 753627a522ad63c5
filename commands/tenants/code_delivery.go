package tenants

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
)

// codeAttempts bounds the fresh codes drawn when a code's hash is taken
// (one in 2^30 per live code).
const codeAttempts = 3

// deliverCode records a new code for purpose (bound to tenantID unless it
// is empty), its email sealed under the key of the day, and mails it to
// email (IssueCode, IssueDaemonCode). It returns the code when the Mailer
// echoes codes (development), else "".
func (a *App) deliverCode(ctx context.Context, email personal.Email, purpose code.Purpose, tenantID ids.TenantID, meta events.Meta) (code.Code, error) {
	now := a.d.Now()
	sealed, err := a.d.Keyring.Seal(ctx, datakeys.DayKey(now), []byte(email))
	if err != nil {
		return "", fmt.Errorf("issue code: seal email: %w", err)
	}
	issue := code.Issue{
		Purpose:    purpose,
		Email:      personal.Sealed(sealed),
		EmailIndex: a.emailIndex(email),
		TenantID:   tenantID,
		Now:        now,
	}
	for range codeAttempts {
		c := code.New()
		meta.CommandID = "" // a fresh command per code
		_, err := a.repos.codes.Execute(ctx, c.Hash(), meta, issue.Decide)
		if errors.Is(err, code.ErrExists) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("issue code: %w", err)
		}
		if err := a.d.Mail.SendCode(ctx, email, c, purpose); err != nil {
			return "", fmt.Errorf("issue code: send: %w", err)
		}
		if a.d.Mail.Echoes() {
			return c, nil
		}
		return "", nil
	}
	return "", fmt.Errorf("issue code: %d hash collisions in a row", codeAttempts)
}
