package tenants

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
)

// Signup asks for a password login for Email from a signup code
// (POST /v1/auth/password/signup). Email, Code and Password are as
// submitted.
type Signup struct {
	Email    string
	Code     string
	Password string
	// Client is the address whose wrong codes the code guard counts.
	Client netip.Addr
}

// Signup creates a password login from a signup code for the code's email,
// and starts a session: for a new email it creates the tenant, with its
// email reserved, in the same append; for the email of a live tenant
// without a password it adds the password to that tenant. The attempt is
// guarded against guessing (codeGuard), and the password is hashed only
// once the code and the account have been found good. It returns the new
// session.
func (a *App) Signup(ctx context.Context, cmd Signup) (SessionToken, error) {
	email, err := personal.ParseEmail(cmd.Email)
	if err != nil {
		return SessionToken{}, refuse(BadRequest, msgInvalidEmail, err)
	}
	if err := passwords.Check(cmd.Password); err != nil {
		return SessionToken{}, refuse(BadRequest, err.Error(), err)
	}
	c, err := wellFormedCode(cmd.Code)
	if err != nil {
		return SessionToken{}, err
	}
	attempt, err := a.codes.admit(ctx, code.PurposeSignup, cmd.Client)
	if err != nil {
		return SessionToken{}, err
	}
	tok, err := a.signup(ctx, email, c, cmd.Password)
	attempt.done(ctx, err)
	return tok, err
}

func (a *App) signup(ctx context.Context, email personal.Email, c code.Code, password string) (SessionToken, error) {
	index, hash := a.emailIndex(email), c.Hash()
	newTenant, sessionID, token := ids.New[ids.TenantID](), ids.New[ids.SessionID](), newSessionToken()
	now := a.d.Now()
	var (
		tenantID ids.TenantID
		phc      string // hashed once, on the first try that gets that far
	)
	_, err := aggregates.Execute(ctx, a.d.Store, events.Meta{Actor: "signup"}, func(ctx context.Context, tx *aggregates.Tx) error {
		c, err := aggregates.Get(ctx, tx, a.repos.codes, hash)
		if err != nil {
			return err
		}
		used, err := code.Use{Purpose: code.PurposeSignup, Now: now}.Decide(c)
		if err != nil {
			return err
		}
		if c.EmailIndex != index {
			return fmt.Errorf("signup: the code was issued for another email: %w", code.ErrInvalidCode)
		}
		if tenantID, err = a.tenantForEmail(ctx, tx, c.Email, c.EmailIndex, newTenant); err != nil {
			return err
		}
		acct, err := aggregates.Get(ctx, tx, a.repos.accounts, tenantID.String())
		if err != nil {
			return err
		}
		if acct.HasPassword() { // SetPassword's rule, checked before the hash is paid for
			return fmt.Errorf("signup: %w", account.ErrPasswordExists)
		}
		if phc == "" {
			if phc, err = a.d.Passwords.Hash(ctx, password); err != nil {
				return fmt.Errorf("signup: %w", err)
			}
		}
		sealed, err := a.sealForTenant(ctx, tenantID, []byte(phc))
		if err != nil {
			return fmt.Errorf("seal password hash: %w", err)
		}
		set, err := account.SetPassword{Mode: account.ModeSignup, EmailIndex: index, Hash: sealed}.Decide(acct)
		if err != nil {
			return err
		}
		started, err := account.StartSession{SessionID: sessionID, TokenHash: tokenHash(token), Now: now}.Decide(acct)
		if err != nil {
			return err
		}
		tx.Emit(ref(a.repos.codes, hash), used...)
		tx.Emit(ref(a.repos.accounts, tenantID.String()), append(set, started...)...)
		return nil
	})
	if err != nil {
		return SessionToken{}, asRefusal(err)
	}
	return SessionToken{TenantID: tenantID, Token: token}, nil
}
