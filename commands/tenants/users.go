package tenants

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/gateways/outbound/mail"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// codeAttempts bounds the fresh codes drawn when a code's hash is taken
// (one in 2^30 per live code).
const codeAttempts = 3

// IssueCode issues a one-time code for a purpose to an email, rate-limited
// per client IP across replicas. Codes are issued for any well-formed email,
// with or without an account, so the answer reveals nothing. It returns the
// code when the mail sender echoes codes (development), else "".
func (s *Service) IssueCode(ctx context.Context, emailIn, purposeIn string, ip netip.Addr) (string, error) {
	email, err := personal.ParseEmail(emailIn)
	if err != nil {
		return "", refuse(BadRequest, msgInvalidEmail, err)
	}
	purpose, err := code.ParsePurpose(purposeIn)
	if err != nil {
		return "", refuse(BadRequest, "purpose must be signup, password_reset, password_change or enrollment", err)
	}
	ok, retry, err := s.d.CodeLimit.Allow(ctx, ratelimit.ClientKey(ip))
	if err != nil {
		return "", fmt.Errorf("issue code: rate limit: %w", err)
	}
	if !ok {
		return "", &Error{Kind: RateLimited, Message: msgTooManyCodes, RetryAfter: retry}
	}
	return s.issue(ctx, email, purpose, "", events.Meta{Actor: "ip:" + ratelimit.ClientKey(ip)})
}

// IssueDaemonCode issues a tenant-bound enrollment code to the tenant's own
// email (the add-daemon flow); the echo is as for IssueCode. A deregistered
// tenant gets none.
func (s *Service) IssueDaemonCode(ctx context.Context, tenantID ids.TenantID) (string, error) {
	t, err := s.repos.tenants.Load(ctx, tenantID.String())
	if err != nil {
		return "", err
	}
	switch {
	case !t.State.Exists() || t.State.Status == tenant.StatusSwept:
		return "", refuse(NotFound, msgTenantNotFound, tenant.ErrNotFound)
	case !t.State.Live():
		return "", refuse(Forbidden, msgTenantClosed, tenant.ErrClosed)
	}
	email, err := s.openEmail(ctx, t.State.Email)
	if err != nil {
		return "", err
	}
	return s.issue(ctx, email, code.PurposeEnrollment, tenantID, events.Meta{TenantID: tenantID.String(), Actor: "user:" + tenantID.String()})
}

// issue records a new code, its email sealed under the key of the day, and
// mails it.
func (s *Service) issue(ctx context.Context, email personal.Email, purpose code.Purpose, tenantID ids.TenantID, meta events.Meta) (string, error) {
	now := s.d.Now()
	sealed, err := s.d.Keyring.Seal(ctx, datakeys.DayKey(now), []byte(email))
	if err != nil {
		return "", fmt.Errorf("issue code: seal email: %w", err)
	}
	issue := code.Issue{
		Purpose:    purpose,
		Email:      personal.Sealed(sealed),
		EmailIndex: personal.EmailIndex(s.d.Keyring.Index(string(email))),
		TenantID:   tenantID,
		Now:        now,
	}
	for range codeAttempts {
		c := code.New()
		meta.CommandID = "" // a fresh command per code
		_, err := s.repos.codes.Execute(ctx, c.Hash(), meta, issue.Decide)
		if errors.Is(err, code.ErrExists) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("issue code: %w", err)
		}
		if err := s.d.Mail.Send(ctx, mail.Code{To: string(email), Code: string(c), Purpose: mail.Purpose(purpose)}); err != nil {
			return "", fmt.Errorf("issue code: send: %w", err)
		}
		if s.d.Mail.Echoes() {
			return string(c), nil
		}
		return "", nil
	}
	return "", fmt.Errorf("issue code: %d hash collisions in a row", codeAttempts)
}

// DeleteNetwork moves the tenant's network named slug to deprovisioning;
// the DNS projector removes its records and then marks it deprovisioned.
// A network of another tenant is not found, like a missing one; deleting a
// network already on its way out is no error.
func (s *Service) DeleteNetwork(ctx context.Context, tenantID ids.TenantID, slugIn string) error {
	slug, err := naming.ParseSlug(slugIn)
	if err != nil {
		return refuse(NotFound, msgNetworkNotFound, err)
	}
	res, err := s.repos.slugs.Load(ctx, slug.String())
	if err != nil {
		return err
	}
	if !res.State.Held() {
		return refuse(NotFound, msgNetworkNotFound, nil)
	}
	networkID := res.State.Owner.String()
	meta := events.Meta{TenantID: tenantID.String(), Actor: "user:" + tenantID.String()}
	_, err = s.repos.networks.Execute(ctx, networkID, meta, func(n network.State) ([]events.Payload, error) {
		if !n.Exists() || n.TenantID != tenantID {
			return nil, refuse(NotFound, msgNetworkNotFound, nil)
		}
		return network.Deprovision{Reason: network.ReasonUser}.Decide(n)
	})
	return asRefusal(err)
}

// Deregister closes the tenant (the tombstone, contract §2.8): its email
// is released in the same append, so it is free for a new sign-up at once,
// and every growth path refuses from now on. The process managers close
// the subscription, deprovision the networks and end the sessions; the
// sweep removes the tenant once its networks are gone. Deregistering again
// is no error.
func (s *Service) Deregister(ctx context.Context, tenantID ids.TenantID) error {
	meta := events.Meta{TenantID: tenantID.String(), Actor: "user:" + tenantID.String()}
	_, err := aggregates.Execute(ctx, s.d.Store, meta, func(ctx context.Context, tx *aggregates.Tx) error {
		t, err := aggregates.Get(ctx, tx, s.repos.tenants, tenantID.String())
		if err != nil {
			return err
		}
		deregistered, err := tenant.Deregister{}.Decide(t)
		if err != nil || len(deregistered) == 0 {
			return err
		}
		email, err := s.openEmail(ctx, t.Email)
		if err != nil {
			return err
		}
		index := s.d.Keyring.Index(string(email))
		res, err := aggregates.Get(ctx, tx, s.repos.emails, index)
		if err != nil {
			return err
		}
		released, err := reservation.Release[ids.TenantID]{Owner: tenantID}.Decide(res)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.tenants, tenantID.String()), deregistered...)
		tx.Emit(ref(s.repos.emails, index), released...)
		return nil
	})
	return asRefusal(err)
}

// OpenEmail opens a tenant's sealed email for GET /v1/me.
func (s *Service) OpenEmail(ctx context.Context, sealed string) (string, error) {
	e, err := s.openEmail(ctx, personal.Sealed(sealed))
	return string(e), err
}

func (s *Service) openEmail(ctx context.Context, sealed personal.Sealed) (personal.Email, error) {
	b, err := s.d.Keyring.Open(ctx, string(sealed))
	if errors.Is(err, datakeys.ErrShredded) {
		return "", refuse(NotFound, msgTenantNotFound, err)
	}
	if err != nil {
		return "", fmt.Errorf("open email: %w", err)
	}
	return personal.Email(b), nil
}
