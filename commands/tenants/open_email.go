package tenants

import (
	"context"

	"github.com/wardnet/wardnet-cloud/aggregates/personal"
)

// OpenEmail asks for a tenant's email in clear, for its owner's own view
// (GET /v1/me). Sealed is the email as the read model keeps it.
type OpenEmail struct {
	Sealed personal.Sealed
}

// OpenEmail opens the email under its tenant's data key. The email of a
// swept tenant, whose key is destroyed, is not found.
func (a *App) OpenEmail(ctx context.Context, cmd OpenEmail) (personal.Email, error) {
	return a.openEmail(ctx, cmd.Sealed)
}
