package tenants

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// ResetPassword asks to set Password from a password_reset code
// (POST /v1/auth/password/reset). Code and Password are as submitted.
type ResetPassword struct {
	Code     string
	Password string
	// Client is the address whose wrong codes the code guard counts.
	Client netip.Addr
}

// ResetPassword sets the new password and ends every session of the
// account, with the code's use, in one append. A code for an email without
// an account is used up and answered like the others, so the answer
// reveals nothing. The attempt is guarded against guessing (codeGuard), and
// the password is hashed only once the code has been found good.
func (a *App) ResetPassword(ctx context.Context, cmd ResetPassword) error {
	if err := passwords.Check(cmd.Password); err != nil {
		return refuse(BadRequest, err.Error(), err)
	}
	c, err := wellFormedCode(cmd.Code)
	if err != nil {
		return err
	}
	attempt, err := a.codes.admit(ctx, code.PurposePasswordReset, cmd.Client)
	if err != nil {
		return err
	}
	err = a.resetPassword(ctx, c, cmd.Password)
	attempt.done(ctx, err)
	return err
}

func (a *App) resetPassword(ctx context.Context, c code.Code, password string) error {
	hash := c.Hash()
	now := a.d.Now()
	var phc string // hashed once, on the first try that gets that far
	_, err := aggregates.Execute(ctx, a.d.Store, events.Meta{Actor: "password_reset"}, func(ctx context.Context, tx *aggregates.Tx) error {
		c, err := aggregates.Get(ctx, tx, a.repos.codes, hash)
		if err != nil {
			return err
		}
		used, err := code.Use{Purpose: code.PurposePasswordReset, Now: now}.Decide(c)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.codes, hash), used...)
		res, err := aggregates.Get(ctx, tx, a.repos.emails, string(c.EmailIndex))
		if err != nil || !res.Held() {
			return err
		}
		tenantID := res.Owner
		acct, err := aggregates.Get(ctx, tx, a.repos.accounts, tenantID.String())
		if err != nil {
			return err
		}
		if phc == "" {
			if phc, err = a.d.Passwords.Hash(ctx, password); err != nil {
				return fmt.Errorf("reset password: %w", err)
			}
		}
		sealed, err := a.sealForTenant(ctx, tenantID, []byte(phc))
		if err != nil {
			return fmt.Errorf("seal password hash: %w", err)
		}
		set, err := account.SetPassword{Mode: account.ModeReset, EmailIndex: c.EmailIndex, Hash: sealed}.Decide(acct)
		if err != nil {
			return err
		}
		revoked, err := account.RevokeAll{Reason: account.ReasonPasswordReset}.Decide(acct)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.accounts, tenantID.String()), append(set, revoked...)...)
		return nil
	})
	return asRefusal(err)
}
