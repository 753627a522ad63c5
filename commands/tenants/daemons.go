package tenants

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/daemon"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/naming"
	"github.com/wardnet/wardnet-cloud/aggregates/network"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/subscription"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
	"github.com/wardnet/wardnet-cloud/events"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/tokens"
)

// MaxDisplayName bounds a network's display name, in bytes.
const MaxDisplayName = 255

// Enroll consumes an enrollment code and binds a daemon key to the code's
// tenant, pending for 15 minutes: the tenant of an add-daemon code, or the
// live tenant of the code's email, created for a new email with its email
// reserved in the same append. The attempt is guarded against guessing
// (codeGuard).
func (s *Service) Enroll(ctx context.Context, codeIn, publicKey string, ip netip.Addr) (ids.TenantID, error) {
	key, err := ids.ParseDaemonKey(publicKey)
	if err != nil {
		return "", refuse(BadRequest, msgInvalidKey, err)
	}
	if len(codeIn) == 0 || len(codeIn) > code.MaxLen {
		return "", refuse(Unauthorized, msgInvalidCode, code.ErrInvalidCode)
	}
	attempt, err := s.codes.admit(ctx, code.PurposeEnrollment, ip)
	if err != nil {
		return "", err
	}
	tenantID, err := s.enroll(ctx, code.Code(codeIn), key)
	attempt.done(ctx, err)
	return tenantID, err
}

func (s *Service) enroll(ctx context.Context, c code.Code, key ids.DaemonKey) (ids.TenantID, error) {
	hash := c.Hash()
	newTenant := ids.New[ids.TenantID]()
	now := s.d.Now()
	var tenantID ids.TenantID
	meta := events.Meta{Actor: "daemon:" + key.Fingerprint().String()}
	_, err := aggregates.Execute(ctx, s.d.Store, meta, func(ctx context.Context, tx *aggregates.Tx) error {
		c, err := aggregates.Get(ctx, tx, s.repos.codes, hash)
		if err != nil {
			return err
		}
		used, err := code.Use{Purpose: code.PurposeEnrollment, Now: now}.Decide(c)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.codes, hash), used...)
		if c.TenantBound() {
			t, err := aggregates.Get(ctx, tx, s.repos.tenants, c.TenantID.String())
			if err != nil {
				return err
			}
			if !t.Live() {
				return fmt.Errorf("enroll for tenant %s: %w", c.TenantID, code.ErrInvalidCode)
			}
			tenantID = c.TenantID
		} else if tenantID, err = s.tenantForEmail(ctx, tx, c.Email, c.EmailIndex, newTenant); err != nil {
			return err
		}
		d, err := aggregates.Get(ctx, tx, s.repos.daemons, key.Fingerprint().String())
		if err != nil {
			return err
		}
		enrolled, err := daemon.Enroll{TenantID: tenantID, Key: key, Now: now}.Decide(d)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.daemons, key.Fingerprint().String()), enrolled...)
		return nil
	})
	if err != nil {
		return "", asRefusal(err)
	}
	return tenantID, nil
}

// tenantForEmail returns the live tenant holding the email of a code, or
// decides to create tenant newTenant for it: tenant.created with the email
// sealed under the new tenant's key, and the email's reservation.
func (s *Service) tenantForEmail(ctx context.Context, tx *aggregates.Tx, sealedEmail personal.Sealed, index personal.EmailIndex, newTenant ids.TenantID) (ids.TenantID, error) {
	res, err := aggregates.Get(ctx, tx, s.repos.emails, string(index))
	if err != nil {
		return "", err
	}
	if res.Held() {
		t, err := aggregates.Get(ctx, tx, s.repos.tenants, res.Owner.String())
		if err != nil {
			return "", err
		}
		if t.Live() {
			return res.Owner, nil
		}
		// An email is released in the append that deregisters its
		// tenant, so a held email has a live tenant: this is a broken
		// invariant, not a user error.
		return "", fmt.Errorf("email reservation held by tenant %s, which is %s", res.Owner, t.Status)
	}
	email, err := s.d.Keyring.Open(ctx, string(sealedEmail))
	if err != nil {
		// The key of the day is gone: the code is older than any code
		// can live.
		return "", fmt.Errorf("open the code's email: %w: %w", code.ErrInvalidCode, err)
	}
	sealed, err := s.d.Keyring.Seal(ctx, datakeys.TenantKey(newTenant.String()), email)
	if err != nil {
		return "", fmt.Errorf("seal the new tenant's email: %w", err)
	}
	created, err := tenant.Create{TenantID: newTenant, Email: personal.Sealed(sealed)}.Decide(tenant.Initial())
	if err != nil {
		return "", err
	}
	claimed, err := reservation.Claim[ids.TenantID]{Owner: newTenant}.Decide(res)
	if err != nil {
		return "", err
	}
	tx.Emit(ref(s.repos.tenants, newTenant.String()), created...)
	tx.Emit(ref(s.repos.emails, string(index)), claimed...)
	return newTenant, nil
}

// MintDaemonToken mints a network-scoped token for a registered daemon key,
// a tenant-scoped one for a pending enrollment. The caller has verified the
// request's proof of possession with this key. A deregistered tenant or one
// without an active subscription gets none (403), which a daemon reads as
// "suspended".
func (s *Service) MintDaemonToken(ctx context.Context, key ids.DaemonKey) (string, error) {
	now := s.d.Now()
	d, err := s.repos.daemons.Load(ctx, key.Fingerprint().String())
	if err != nil {
		return "", err
	}
	scope := d.State.Scope(now)
	if scope.Kind == daemon.ScopeNone {
		return "", refuse(Unauthorized, msgNotEnrolled, nil)
	}
	if err := s.entitled(ctx, scope.TenantID, func(sub subscription.State) bool { return sub.Active(now, subscription.DefaultGrace) }); err != nil {
		return "", err
	}
	token, err := s.d.Signer.Sign(tokens.DaemonClaims(scope.TenantID.String(), key.PublicKey(), scope.NetworkID.String(), now))
	if err != nil {
		return "", fmt.Errorf("mint daemon token: %w", err)
	}
	return token, nil
}

// entitled checks that a tenant exists (404), is live (403) and has a
// subscription that ok accepts (403).
func (s *Service) entitled(ctx context.Context, tenantID ids.TenantID, ok func(subscription.State) bool) error {
	t, err := s.repos.tenants.Load(ctx, tenantID.String())
	if err != nil {
		return err
	}
	switch {
	case !t.State.Exists() || t.State.Status == tenant.StatusSwept:
		return refuse(NotFound, msgTenantNotFound, tenant.ErrNotFound)
	case !t.State.Live():
		return refuse(Forbidden, msgTenantClosed, tenant.ErrClosed)
	}
	sub, err := s.repos.subscriptions.Load(ctx, tenantID.String())
	if err != nil {
		return err
	}
	if !sub.State.Exists() {
		// The trial is opened by the lifecycle process manager on
		// tenant.created; a daemon that enrolled a moment ago may get
		// here first. Opening it here decides the same (a tenant that
		// never had a subscription gets its trial), so the daemon's first
		// token does not depend on how fast the process manager is.
		if sub, err = s.openTrialNow(ctx, tenantID); err != nil {
			return err
		}
	}
	if !ok(sub.State) {
		return refuse(Forbidden, msgNoSubscription, nil)
	}
	return nil
}

// Availability reports whether a slug can be registered: well formed, not
// reserved and not held by any network in any state.
func (s *Service) Availability(ctx context.Context, slugIn string) (bool, error) {
	slug, err := naming.ParseSlug(slugIn)
	if err != nil {
		return false, nil
	}
	res, err := s.repos.slugs.Load(ctx, slug.String())
	if err != nil {
		return false, err
	}
	return !res.State.Held(), nil
}

// RegisterNetwork registers a network under slug in region and binds the
// calling daemon to it, in one atomic append with the slug's claim and the
// tenant's counts. Fifty concurrent registrations of one slug all expect
// the slug to be new: one append wins, the others retry, see the claim and
// are refused (409).
func (s *Service) RegisterNetwork(ctx context.Context, caller Daemon, slugIn string, displayName *string, regionIn string) (ids.NetworkID, error) {
	slug, err := naming.ParseSlug(slugIn)
	if err != nil {
		return "", refuse(BadRequest, err.Error(), err)
	}
	region, err := s.d.Regions.Parse(regionIn)
	if err != nil {
		return "", refuse(BadRequest, err.Error(), err)
	}
	var name string
	if displayName != nil {
		name = strings.TrimSpace(*displayName)
		if len(name) > MaxDisplayName || !utf8.ValidString(name) {
			return "", refuse(BadRequest, fmt.Sprintf("display_name must be valid UTF-8 of at most %d bytes", MaxDisplayName), nil)
		}
	}
	tenantID := caller.TenantID
	if err := s.entitled(ctx, tenantID, subscription.State.Current); err != nil {
		return "", err
	}
	networkID, registrationID := ids.New[ids.NetworkID](), ids.New[ids.RegistrationID]()
	fp := caller.Key.Fingerprint().String()
	meta := events.Meta{TenantID: tenantID.String(), Actor: "daemon:" + fp}
	_, err = aggregates.Execute(ctx, s.d.Store, meta, func(ctx context.Context, tx *aggregates.Tx) error {
		t, err := aggregates.Get(ctx, tx, s.repos.tenants, tenantID.String())
		if err != nil {
			return err
		}
		sub, err := aggregates.Get(ctx, tx, s.repos.subscriptions, tenantID.String())
		if err != nil {
			return err
		}
		if !sub.Current() {
			return refuse(Forbidden, msgNoSubscription, nil)
		}
		d, err := aggregates.Get(ctx, tx, s.repos.daemons, fp)
		if err != nil {
			return err
		}
		res, err := aggregates.Get(ctx, tx, s.repos.slugs, slug.String())
		if err != nil {
			return err
		}
		n, err := aggregates.Get(ctx, tx, s.repos.networks, networkID.String())
		if err != nil {
			return err
		}
		claimed, err := reservation.Claim[ids.NetworkID]{Owner: networkID}.Decide(res)
		if err != nil {
			return err
		}
		registered, err := network.RegisterNetwork{TenantID: tenantID, Slug: slug, DisplayName: name,
			Region: region, RegistrationID: registrationID, DaemonKey: caller.Key}.Decide(n)
		if err != nil {
			return err
		}
		bound, err := daemon.RegisterDaemon{RegistrationID: registrationID, NetworkID: networkID, TenantID: tenantID}.Decide(d)
		if err != nil {
			return err
		}
		addedNetwork, err := tenant.AddNetwork{NetworkID: networkID, Entitlement: sub.Entitlement()}.Decide(t)
		if err != nil {
			return err
		}
		addedDaemon, err := tenant.AddDaemon{RegistrationID: registrationID, Entitlement: sub.Entitlement()}.Decide(t)
		if err != nil {
			return err
		}
		tx.Emit(ref(s.repos.networks, networkID.String()), registered...)
		tx.Emit(ref(s.repos.slugs, slug.String()), claimed...)
		tx.Emit(ref(s.repos.daemons, fp), bound...)
		tx.Emit(ref(s.repos.tenants, tenantID.String()), append(addedNetwork, addedDaemon...)...)
		return nil
	})
	if err != nil {
		return "", asRefusal(err)
	}
	return networkID, nil
}

// RemoveSelf unbinds the calling daemon from network networkID on its
// teardown. The caller's token must be scoped to that network; removing a
// daemon that is already gone is no error.
func (s *Service) RemoveSelf(ctx context.Context, caller Daemon, networkID ids.NetworkID) error {
	if caller.NetworkID == "" || caller.NetworkID != networkID {
		return refuse(Forbidden, "a network-scoped token for this network is required", nil)
	}
	fp := caller.Key.Fingerprint().String()
	meta := events.Meta{TenantID: caller.TenantID.String(), Actor: "daemon:" + fp}
	_, err := aggregates.Execute(ctx, s.d.Store, meta, func(ctx context.Context, tx *aggregates.Tx) error {
		d, err := aggregates.Get(ctx, tx, s.repos.daemons, fp)
		if err != nil {
			return err
		}
		if !d.Registered() || d.NetworkID != networkID {
			return nil
		}
		return s.removeDaemon(ctx, tx, d, daemon.ReasonSelf)
	})
	return asRefusal(err)
}

// removeDaemon decides the removal of a registered daemon from its
// network and its tenant's count.
func (s *Service) removeDaemon(ctx context.Context, tx *aggregates.Tx, d daemon.State, reason daemon.Reason) error {
	n, err := aggregates.Get(ctx, tx, s.repos.networks, d.NetworkID.String())
	if err != nil {
		return err
	}
	t, err := aggregates.Get(ctx, tx, s.repos.tenants, d.TenantID.String())
	if err != nil {
		return err
	}
	removed, err := daemon.Remove{Reason: reason, NetworkID: d.NetworkID}.Decide(d)
	if err != nil {
		return err
	}
	unbound, err := network.UnbindDaemon{RegistrationID: d.RegistrationID}.Decide(n)
	if err != nil {
		return err
	}
	uncounted, err := tenant.RemoveDaemon{RegistrationID: d.RegistrationID}.Decide(t)
	if err != nil {
		return err
	}
	tx.Emit(ref(s.repos.daemons, d.Key.Fingerprint().String()), removed...)
	tx.Emit(ref(s.repos.networks, d.NetworkID.String()), unbound...)
	tx.Emit(ref(s.repos.tenants, d.TenantID.String()), uncounted...)
	return nil
}
