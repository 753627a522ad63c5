package tenants

import (
	"context"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates"
	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/aggregates/reservation"
	"github.com/wardnet/wardnet-cloud/aggregates/tenant"
)

// tenantForEmail returns the live tenant holding the email of a code
// (Enroll, Signup), or decides to create tenant newTenant for it:
// tenant.created with the email sealed under the new tenant's key, and the
// email's reservation, in tx.
func (a *App) tenantForEmail(ctx context.Context, tx *aggregates.Tx, sealedEmail personal.Sealed, index personal.EmailIndex, newTenant ids.TenantID) (ids.TenantID, error) {
	res, err := aggregates.Get(ctx, tx, a.repos.emails, string(index))
	if err != nil {
		return "", err
	}
	if res.Held() {
		t, err := aggregates.Get(ctx, tx, a.repos.tenants, res.Owner.String())
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
	email, err := a.d.Keyring.Open(ctx, string(sealedEmail))
	if err != nil {
		// The key of the day is gone: the code is older than any code
		// can live.
		return "", fmt.Errorf("open the code's email: %w: %w", code.ErrInvalidCode, err)
	}
	sealed, err := a.sealForTenant(ctx, newTenant, email)
	if err != nil {
		return "", fmt.Errorf("seal the new tenant's email: %w", err)
	}
	created, err := tenant.Create{TenantID: newTenant, Email: sealed}.Decide(tenant.Initial())
	if err != nil {
		return "", err
	}
	claimed, err := reservation.Claim[ids.TenantID]{Owner: newTenant}.Decide(res)
	if err != nil {
		return "", err
	}
	tx.Emit(ref(a.repos.tenants, newTenant.String()), created...)
	tx.Emit(ref(a.repos.emails, string(index)), claimed...)
	return newTenant, nil
}
