package tenants

import (
	"context"
	"fmt"

	"github.com/wardnet/wardnet-cloud/aggregates/ids"
	"github.com/wardnet/wardnet-cloud/internal/datakeys"
)

// ShredTenant asks to destroy the data key of tenant TenantID, which was
// swept.
type ShredTenant struct {
	TenantID ids.TenantID
}

// ShredTenant destroys the key: the tenant's email and password hash in
// the log can no longer be opened. Destroying it again is no error.
func (a *App) ShredTenant(ctx context.Context, cmd ShredTenant) error {
	if err := a.d.Keyring.Destroy(ctx, datakeys.TenantKey(cmd.TenantID.String())); err != nil {
		return fmt.Errorf("shred tenant %s: %w", cmd.TenantID, err)
	}
	return nil
}
