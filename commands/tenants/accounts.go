package tenants

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/account"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/passwords"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// Signup creates a password login from a signup code for the code's email,
// and starts a session: for a new email it creates the tenant, with its
// email reserved, in the same append; for the email of a live tenant
// without a password it adds the password to that tenant. The attempt is
// guarded against guessing (codeGuard), and the password is hashed only
// once the code and the account have been found good.
func (s *Service) Signup(ctx context.Context, emailIn, codeIn, password string, ip netip.Addr) (SessionToken, error) {
	email, err := personal.ParseEmail(emailIn)
	if err != nil {
		return SessionToken{}, refuse(BadRequest, msgInvalidEmail, err)
	}
	if err := passwords.Check(password); err != nil {
		return SessionToken{}, refuse(BadRequest, err.Error(), err)
	}
	if len(codeIn) == 0 || len(codeIn) > code.MaxLen {
		return SessionToken{}, refuse(Unauthorized, msgInvalidCode, code.ErrInvalidCode)
	}
	attempt, err := s.codes.admit(ctx, code.PurposeSignup, ip)
	if err != nil {
		return SessionToken{}, err
	}
	tok, err := s.signup(ctx, email, code.Code(codeIn), password)
	attempt.done(ctx, err)
	return tok, err
}

func (s *Service) signup(ctx context.Context, email personal.Email, c code.Code, password string) (SessionToken, error) {
	index := personal.EmailIndex(s.d.Keyring.Index(string(email)))
	hash := c.Hash()
	newTenant, sessionID, token := ids.New[ids.TenantID](), ids.New[ids.SessionID](), newSessionToken()
	now := s.d.Now()
	var (
		tenantID ids.TenantID
		phc      string // hashed once, on the first try that gets that far
	)
	_, err := aggregates.Execute(ctx, s.d.Store, events.Meta{Actor: "signup"}, func(ctx context.Context, tx *aggregates.Tx) error {
		c, err := aggregates.Get(ctx, tx, s.repos.codes, hash)
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
		if tenantID, err = s.tenantForEmail(ctx, tx, c.Email, c.EmailIndex, newTenant); err != nil {
			return err
		}
		acct, err := aggregates.Get(ctx, tx, s.repos.accounts, tenantID.String())
		if err != nil {
			return err
		}
		if acct.HasPassword() { // SetPassword's rule, checked before the hash is paid for
			return fmt.Errorf("signup: %w", account.ErrPasswordExists)
		}
		if phc == "" {
			if phc, err = s.d.Passwords.Hash(ctx, password); err != nil {
				return fmt.Errorf("signup: %w", err)
			}
		}
		sealed, err := s.d.Keyring.Seal(ctx, datakeys.TenantKey(tenantID.String()), []byte(phc))
		if err != nil {
			return fmt.Errorf("seal password hash: %w", err)
		}
		set, err := account.SetPassword{Mode: account.ModeSignup, EmailIndex: index, Hash: personal.Sealed(sealed)}.Decide(acct)
		if err != nil {
			return err
		}
		started, err := account.StartSession{SessionID: sessionID, TokenHash: tokenHash(token), Now: now}.Decide(acct)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.codes, hash), used...)
		tx.Emit(ref(s.repos.accounts, tenantID.String()), append(set, started...)...)
		return nil
	})
	if err != nil {
		return SessionToken{}, asRefusal(err)
	}
	return SessionToken{TenantID: tenantID, Token: token}, nil
}

// Login starts a session for an email and password. Attempts are throttled
// per client IP across replicas, counting every attempt. Unknown emails,
// accounts without a password and wrong passwords are refused alike, after
// the same work.
func (s *Service) Login(ctx context.Context, emailIn, password string, ip netip.Addr) (SessionToken, error) {
	ok, retry, err := s.d.LoginLimit.Allow(ctx, ratelimit.ClientKey(ip))
	if err != nil {
		return SessionToken{}, fmt.Errorf("login: rate limit: %w", err)
	}
	if !ok {
		return SessionToken{}, &Error{Kind: RateLimited, Message: msgTooManyLogins, RetryAfter: retry}
	}
	bad := func() (SessionToken, error) {
		return SessionToken{}, refuse(Unauthorized, msgBadCredentials, nil)
	}
	email, err := personal.ParseEmail(emailIn)
	if err != nil || len(password) > passwords.MaxLen {
		if err := s.d.Passwords.VerifyDummy(ctx, password); err != nil {
			return SessionToken{}, asRefusal(err)
		}
		return bad()
	}
	res, err := s.repos.emails.Load(ctx, s.d.Keyring.Index(string(email)))
	if err != nil {
		return SessionToken{}, err
	}
	var acct aggregates.Loaded[account.State]
	if res.State.Held() {
		if acct, err = s.repos.accounts.Load(ctx, res.State.Owner.String()); err != nil {
			return SessionToken{}, err
		}
	}
	if !acct.State.HasPassword() {
		if err := s.d.Passwords.VerifyDummy(ctx, password); err != nil {
			return SessionToken{}, asRefusal(err)
		}
		return bad()
	}
	phc, err := s.d.Keyring.Open(ctx, string(acct.State.PasswordHash()))
	if err != nil {
		return SessionToken{}, fmt.Errorf("login: open password hash: %w", err)
	}
	match, err := s.d.Passwords.Verify(ctx, string(phc), password)
	if err != nil {
		return SessionToken{}, asRefusal(fmt.Errorf("login: %w", err))
	}
	if !match {
		return bad()
	}
	tenantID := res.State.Owner
	t, err := s.repos.tenants.Load(ctx, tenantID.String())
	if err != nil {
		return SessionToken{}, err
	}
	if !t.State.Live() {
		return SessionToken{}, refuse(Unauthorized, msgAccountClosed, tenant.ErrClosed)
	}
	sessionID, token := ids.New[ids.SessionID](), newSessionToken()
	meta := events.Meta{TenantID: tenantID.String(), Actor: "user:" + tenantID.String()}
	start := account.StartSession{SessionID: sessionID, TokenHash: tokenHash(token), Now: s.d.Now()}
	if _, err := s.repos.accounts.Execute(ctx, tenantID.String(), meta, start.Decide); err != nil {
		return SessionToken{}, asRefusal(err)
	}
	return SessionToken{TenantID: tenantID, Token: token}, nil
}

// ResetPassword sets a new password from a password_reset code and ends
// every session of the account. A code for an email without an account is
// burnt and answered like the others, so the answer reveals nothing. The
// attempt is guarded against guessing (codeGuard), and the password is
// hashed only once the code has been found good.
func (s *Service) ResetPassword(ctx context.Context, codeIn, password string, ip netip.Addr) error {
	if err := passwords.Check(password); err != nil {
		return refuse(BadRequest, err.Error(), err)
	}
	if len(codeIn) == 0 || len(codeIn) > code.MaxLen {
		return refuse(Unauthorized, msgInvalidCode, code.ErrInvalidCode)
	}
	attempt, err := s.codes.admit(ctx, code.PurposePasswordReset, ip)
	if err != nil {
		return err
	}
	err = s.resetPassword(ctx, code.Code(codeIn), password)
	attempt.done(ctx, err)
	return err
}

func (s *Service) resetPassword(ctx context.Context, c code.Code, password string) error {
	hash := c.Hash()
	now := s.d.Now()
	var phc string // hashed once, on the first try that gets that far
	_, err := aggregates.Execute(ctx, s.d.Store, events.Meta{Actor: "password_reset"}, func(ctx context.Context, tx *aggregates.Tx) error {
		c, err := aggregates.Get(ctx, tx, s.repos.codes, hash)
		if err != nil {
			return err
		}
		used, err := code.Use{Purpose: code.PurposePasswordReset, Now: now}.Decide(c)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.codes, hash), used...)
		res, err := aggregates.Get(ctx, tx, s.repos.emails, string(c.EmailIndex))
		if err != nil || !res.Held() {
			return err
		}
		tenantID := res.Owner.String()
		acct, err := aggregates.Get(ctx, tx, s.repos.accounts, tenantID)
		if err != nil {
			return err
		}
		if phc == "" {
			if phc, err = s.d.Passwords.Hash(ctx, password); err != nil {
				return fmt.Errorf("reset password: %w", err)
			}
		}
		sealed, err := s.d.Keyring.Seal(ctx, datakeys.TenantKey(tenantID), []byte(phc))
		if err != nil {
			return fmt.Errorf("seal password hash: %w", err)
		}
		set, err := account.SetPassword{Mode: account.ModeReset, EmailIndex: c.EmailIndex, Hash: personal.Sealed(sealed)}.Decide(acct)
		if err != nil {
			return err
		}
		revoked, err := account.RevokeAll{Reason: account.ReasonPasswordReset}.Decide(acct)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.accounts, tenantID), append(set, revoked...)...)
		return nil
	})
	return asRefusal(err)
}

// ExchangeSession mints a short-lived user JWT for a live session of a live
// tenant, and slides the session (at most once a day).
func (s *Service) ExchangeSession(ctx context.Context, tok SessionToken) (string, error) {
	now := s.d.Now()
	acct, err := s.repos.accounts.Load(ctx, tok.TenantID.String())
	if err != nil {
		return "", err
	}
	sess, ok := acct.State.Session(tokenHash(tok.Token), now)
	if !ok {
		return "", refuse(Unauthorized, msgSessionInvalid, account.ErrNoSession)
	}
	t, err := s.repos.tenants.Load(ctx, tok.TenantID.String())
	if err != nil {
		return "", err
	}
	if !t.State.Live() {
		return "", refuse(Unauthorized, msgAccountClosed, tenant.ErrClosed)
	}
	meta := events.Meta{TenantID: tok.TenantID.String(), Actor: "user:" + tok.TenantID.String()}
	refresh := account.Refresh{SessionID: sess.ID, Now: now}
	if _, err := s.repos.accounts.Execute(ctx, tok.TenantID.String(), meta, refresh.Decide); err != nil {
		if errors.Is(err, account.ErrNoSession) {
			return "", refuse(Unauthorized, msgSessionInvalid, err)
		}
		return "", err
	}
	token, err := s.d.Signer.Sign(tokens.UserClaims(tok.TenantID.String(), now, s.d.UserTokenTTL))
	if err != nil {
		return "", fmt.Errorf("mint user token: %w", err)
	}
	return token, nil
}

// Logout ends one session; an unknown or ended session is no error.
func (s *Service) Logout(ctx context.Context, tok SessionToken) error {
	acct, err := s.repos.accounts.Load(ctx, tok.TenantID.String())
	if err != nil {
		return err
	}
	sess, ok := acct.State.Session(tokenHash(tok.Token), s.d.Now())
	if !ok {
		return nil
	}
	meta := events.Meta{TenantID: tok.TenantID.String(), Actor: "user:" + tok.TenantID.String()}
	_, err = s.repos.accounts.Execute(ctx, tok.TenantID.String(), meta, account.End{SessionID: sess.ID}.Decide)
	return asRefusal(err)
}

// RevokeSessions ends every session of the tenant (sign out everywhere).
func (s *Service) RevokeSessions(ctx context.Context, tenantID ids.TenantID) error {
	meta := events.Meta{TenantID: tenantID.String(), Actor: "user:" + tenantID.String()}
	_, err := s.repos.accounts.Execute(ctx, tenantID.String(), meta, account.RevokeAll{Reason: account.ReasonSignOutEverywhere}.Decide)
	return asRefusal(err)
}

// newSessionToken is 32 random bytes, hex.
func newSessionToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// tokenHash is what the log holds of a session token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
