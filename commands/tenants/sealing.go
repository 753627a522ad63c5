package tenants

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/aggregates/personal"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
)

// Personal data is sealed before it reaches a decision (docs/tenants.md,
// "Personal data and crypto-shredding"): a tenant's email and password
// hash under the tenant's data key, a code's email under the key of the
// day. Emails are found by their keyed index, never in clear.

// emailIndex is the keyed index of an email: the subject of its
// reservation and what codes and accounts hold to find it.
func (a *App) emailIndex(email personal.Email) personal.EmailIndex {
	return personal.EmailIndex(a.d.Keyring.Index(string(email)))
}

// sealForTenant seals personal data of tenant tenantID under its key.
func (a *App) sealForTenant(ctx context.Context, tenantID ids.TenantID, plaintext []byte) (personal.Sealed, error) {
	sealed, err := a.d.Keyring.Seal(ctx, datakeys.TenantKey(tenantID.String()), plaintext)
	return personal.Sealed(sealed), err
}

// openEmail opens a sealed email; one whose key is destroyed (a swept
// tenant's, a day's after two days) is not found.
func (a *App) openEmail(ctx context.Context, sealed personal.Sealed) (personal.Email, error) {
	b, err := a.d.Keyring.Open(ctx, string(sealed))
	if errors.Is(err, datakeys.ErrShredded) {
		return "", refuse(NotFound, msgTenantNotFound, err)
	}
	if err != nil {
		return "", fmt.Errorf("open email: %w", err)
	}
	return personal.Email(b), nil
}
